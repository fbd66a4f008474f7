#!/usr/bin/python3
"""TCP echo through Ravelin's own stack over net_memif beside the Linux kernel over veth,
same run (P2's benchmark). Connections per second (connect, send BYTES, read them back,
close) and bytes per second (N connections streaming through echo).

  Ravelin:  ravelin (echo service, lcore 0 = core 0) <-memif-> ravelin-loadgen (core 1)
  kernel:   kernel_echo server (taskset core 0, namespace b) <-veth-> kernel_echo client
            (taskset core 1, namespace a)

Ravelin's cost is its busy cycles (idle polls excluded, dataplane/src/worker.cpp) over the
TCP segments it received and sent (tcp_rx_segments + tcp_tx_segments). The kernel's is the
echo server's user+system CPU time over the segments of its namespace (/proc/net/snmp);
veth delivers a sender's packets in the sender's softirq, so part of the kernel's receive
work runs on the client's core and is not in that figure: the kernel's cost is
understated, not overstated.

  bench/tcp_memif.py [--seconds S] [--connections N] [--bytes B] [--json FILE]
(--json also writes the table beside it, FILE with .md)
(root, for the kernel's namespaces; build first: ninja ravelin ravelin-loadgen kernel_echo)
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from harness import Topology  # noqa: E402
from memif_lab import Lab, Ravelin, binary, cpu_seconds, loadgen  # noqa: E402

APP, GEN = "198.18.1.1", "198.18.1.10"
K_SERVER, K_CLIENT = "198.18.5.1", "198.18.5.10"


def preemptions(pid):
    """Times the process was descheduled against its will: a poll-mode core that is
    preempted keeps counting TSC cycles inside a busy iteration, so this says how much the
    busy-cycle figures are inflated by other load on the machine."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("nonvoluntary_ctxt_switches"):
                return int(line.split()[1])
    return 0


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def snmp_segments(topo, ns):
    text = topo.ns(ns, ["cat", "/proc/net/snmp"]).stdout.splitlines()
    tcp = [line.split()[1:] for line in text if line.startswith("Tcp:")]
    row = dict(zip(tcp[0], (int(v) for v in tcp[1])))
    return row["InSegs"] + row["OutSegs"]


def ravelin_runs(args):
    results = {}
    with Lab("tcpm") as lab:
        server, client = lab.link()
        app = Ravelin(lab, [(server, f"{APP}/24")],
                      extra_yaml="  services: {echo: {port: 7}}\n").start()
        for kind, mode, extra in (("cps", "echo-cps", ["--bytes", args.bytes]),
                                  ("stream", "echo-stream", ["--bytes", 16384])):
            conns = args.connections if kind == "cps" else args.stream_connections
            before, t0, pre0 = app.stats(), time.monotonic(), preemptions(app.proc.pid)
            report = loadgen(lab, [client],
                             ["--mode", mode, "--address", f"{GEN}/24", "--target", f"{APP}:7",
                              "--connections", conns, "--duration", args.seconds,
                              "--warmup", 1, "--quiet"] + extra,
                             timeout=args.seconds + 60)
            after, wall = app.stats(), time.monotonic() - t0
            if not app.alive():
                raise RuntimeError(f"ravelin died after the {kind} run:\n{app.log()}")
            segs = sum(after[c] - before[c] for c in ("tcp_rx_segments", "tcp_tx_segments"))
            cycles = after["busy_cycles"] - before["busy_cycles"]
            # Over the loadgen's whole life (warm-up, start and drain included), for both
            # the cycles and the segments.
            results[kind] = {"report": report, "segments": segs, "busy_cycles": cycles,
                             "busy_share": cycles / (wall * report["tsc_hz"]),
                             "preemptions": preemptions(app.proc.pid) - pre0,
                             "loadavg_after": loadavg(),
                             "cycles_per_segment": cycles / max(1, segs),
                             "ns_per_segment": cycles / max(1, segs) / report["tsc_hz"] * 1e9}
        rc = app.stop()
        results["exit_code"] = rc
    return results


def kernel_runs(args):
    results = {}
    with Topology("kec") as topo:
        a, b = topo.namespace("a"), topo.namespace("b")
        a_if, _ = topo.link(a, b, addr_b=f"{K_SERVER}/24")
        # The kernel client closes first and holds TIME-WAIT, as the loadgen does; let it
        # reuse those ports (the loadgen's answer is a 100 ms TIME-WAIT) and use them all.
        topo.ns(a, ["sysctl", "-qw", "net.ipv4.tcp_tw_reuse=1",
                    "net.ipv4.ip_local_port_range=1024 65000"])
        topo.ns(a, ["ip", "addr", "add", f"{K_CLIENT}/24", "dev", a_if])
        server = topo.spawn(b, ["taskset", "-c", "0", binary("kernel_echo"), "server", "7"],
                            stdout=subprocess.PIPE, text=True)
        assert server.stdout.readline().strip() == "listening"
        server_pid = int(topo.ns(b, ["ip", "netns", "pids", b]).stdout.split()[0])
        for kind, conns, nbytes in (("cps", args.connections, args.bytes),
                                    ("stream", args.stream_connections, 16384)):
            seg0, cpu0 = snmp_segments(topo, b), cpu_seconds(server_pid)
            r = topo.ns(a, ["taskset", "-c", "1", binary("kernel_echo"), kind, K_SERVER, "7",
                            str(conns), str(nbytes), str(args.seconds)],
                        timeout=args.seconds + 60)
            report = json.loads(r.stdout.strip().splitlines()[-1])
            segs = snmp_segments(topo, b) - seg0
            cpu = cpu_seconds(server_pid) - cpu0
            results[kind] = {"report": report, "segments": segs, "cpu_seconds": cpu,
                             "ns_per_segment": cpu * 1e9 / max(1, segs)}
            time.sleep(1)  # let TIME-WAIT and closes settle between runs
    return results


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--connections", type=int, default=64, help="concurrent, cps run")
    p.add_argument("--stream-connections", type=int, default=4)
    p.add_argument("--bytes", type=int, default=64, help="per connection, cps run")
    p.add_argument("--json", help="also write the raw figures here")
    args = p.parse_args()
    rav = ravelin_runs(args)
    ker = kernel_runs(args)
    rows = [("connections/s (echo of %d B, %d concurrent)" % (args.bytes, args.connections),
             rav["cps"]["report"]["per_second"], ker["cps"]["report"]["per_second"]),
            ("echo bytes/s, MB/s (%d connections)" % args.stream_connections,
             rav["stream"]["report"]["rx_bytes_per_second"] / 1e6,
             ker["stream"]["report"]["rx_bytes_per_second"] / 1e6)]
    out = []
    out.append(f"TCP echo, {args.seconds:.0f} s per run; ravelin over memif, linux over veth; "
               f"server on core 0, client on core 1")
    out.append("| measure | ravelin | linux kernel | ratio |")
    out.append("|---|---|---|---|")
    for what, r, k in rows:
        out.append(f"| {what} | {r:,.1f} | {k:,.1f} | {r / k if k else float('inf'):.2f} |")
    for kind in ("cps", "stream"):
        rr, kk = rav[kind], ker[kind]
        ratio = kk["ns_per_segment"] / rr["ns_per_segment"] if rr["ns_per_segment"] else 0
        out.append(f"| server ns per TCP segment, {kind} | {rr['ns_per_segment']:.0f} "
                   f"({rr['cycles_per_segment']:.0f} cycles) | {kk['ns_per_segment']:.0f} | "
                   f"{ratio:.2f} (kernel ÷ ravelin) |")
    for kind in ("cps", "stream"):
        r = rav[kind]["report"]
        out.append(f"\n{kind}: ravelin busy share {rav[kind]['busy_share']:.2f}, preempted "
                   f"{rav[kind]['preemptions']} times (load average "
                   f"{rav[kind]['loadavg_after']:.1f}), loadgen busy share {r['busy_share']:.2f}, "
                   f"loadgen errors {r['errors']}, p50/p99 {r['latency_ms']['p50']:.3f}/"
                   f"{r['latency_ms']['p99']:.3f} ms; kernel client errors "
                   f"{ker[kind]['report']['errors']}, p50/p99 "
                   f"{ker[kind]['report']['latency_ms']['p50']:.3f}/"
                   f"{ker[kind]['report']['latency_ms']['p99']:.3f} ms")
    out.append(f"ravelin exit code: {rav['exit_code']}")
    print("\n".join(out))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"ravelin": rav, "kernel": ker}, f, indent=1)
        with open(os.path.splitext(args.json)[0] + ".md", "w") as f:
            f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
