#!/usr/bin/python3
"""A faulty wire between two interfaces, for kernels without netem (this one has no
sch_netem): bridges every frame between IF_A and IF_B through AF_PACKET sockets and, in
each direction, drops, duplicates, reorders and delays them as told. Runs in a namespace of
its own between the appliance and the client, so both ends still talk to each other's MAC.

  impair.py IF_A IF_B [--loss P] [--duplicate P] [--reorder P] [--delay MS] [--seed N]

P are percentages. A reordered frame is held back until the next frame of its direction has
gone (or 10 ms have passed). Prints "ready" once both sockets are bound; prints its counts
as JSON on SIGTERM.
"""
import argparse
import heapq
import json
import random
import select
import signal
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
REORDER_HOLD = 0.010


def open_raw(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.setblocking(False)
    return s


class Direction:
    def __init__(self, out_sock, args, rng):
        self.out = out_sock
        self.args = args
        self.rng = rng
        self.held = None  # (deadline, frame) of a frame being reordered
        self.counts = {"frames": 0, "dropped": 0, "duplicated": 0, "reordered": 0}

    def chance(self, percent):
        return percent > 0 and self.rng.random() * 100 < percent

    def admit(self, frame, now, queue, seq):
        """Decides what happens to one frame; queues (when, seq, sock, frame) entries."""
        self.counts["frames"] += 1
        if self.chance(self.args.loss):
            self.counts["dropped"] += 1
            return seq
        copies = 2 if self.chance(self.args.duplicate) else 1
        self.counts["duplicated"] += copies - 1
        when = now + self.args.delay / 1000.0
        if self.held is None and self.chance(self.args.reorder):
            self.counts["reordered"] += 1
            self.held = (now + REORDER_HOLD + self.args.delay / 1000.0, frame)
            return seq
        for _ in range(copies):
            heapq.heappush(queue, (when, seq, self.out, frame))
            seq += 1
        if self.held is not None:
            # The held frame leaves right after this one: the two swap places.
            heapq.heappush(queue, (when, seq, self.out, self.held[1]))
            seq += 1
            self.held = None
        return seq

    def expire(self, now, queue, seq):
        if self.held is not None and self.held[0] <= now:
            heapq.heappush(queue, (now, seq, self.out, self.held[1]))
            self.held = None
            seq += 1
        return seq


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("if_a")
    ap.add_argument("if_b")
    for name in ("loss", "duplicate", "reorder", "delay"):
        ap.add_argument(f"--{name}", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    a, b = open_raw(args.if_a), open_raw(args.if_b)
    directions = {a: Direction(b, args, rng), b: Direction(a, args, rng)}
    queue = []
    seq = 0
    running = [True]
    signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
    print("ready", flush=True)
    while running[0]:
        now = time.monotonic()
        timeout = REORDER_HOLD
        if queue:
            timeout = max(0.0, min(timeout, queue[0][0] - now))
        try:
            readable, _, _ = select.select([a, b], [], [], timeout)
        except InterruptedError:
            continue
        now = time.monotonic()
        for s in readable:
            for _ in range(64):
                try:
                    frame, addr = s.recvfrom(65535)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                seq = directions[s].admit(frame, now, queue, seq)
        for d in directions.values():
            seq = d.expire(now, queue, seq)
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            try:
                out.send(frame)
            except OSError:
                pass  # a full socket buffer is a drop on a real wire too
    print(json.dumps({args.if_a: directions[a].counts, args.if_b: directions[b].counts}),
          flush=True)


if __name__ == "__main__":
    sys.exit(main())
