#!/usr/bin/python3
"""Kernel-side TCP endpoints for the tcpstack tests; runs inside a namespace.

Data is a deterministic stream (SHA-256 counter mode over a seed) so either end can check
every byte without keeping a copy. Each mode prints one JSON line with what it saw.

  client-echo HOST PORT BYTES       send BYTES, read them back, compare
  client-send HOST PORT BYTES       send BYTES, half-close, wait for the peer to close
  client-recv HOST PORT BYTES       read BYTES (or until EOF) and hash them
  client-many HOST PORT CONNS BYTES CONNS concurrent echo connections of BYTES each
  client-stall HOST PORT BYTES SECS send BYTES to echo without reading for SECS (our window
                                    closes), then read them all back and compare
  client-races HOST PORT ROUNDS     ROUNDS connections ended every way a peer can end one:
                                    FIN with or without data in flight, RST with unread
                                    echo data, RST at once, half-close then read
  server-sink PORT                  accept one connection, hash all it receives
  server-source PORT BYTES          accept one connection, send BYTES, close
"""
import hashlib
import json
import resource
import selectors
import socket
import struct
import sys
import threading
import time

CHUNK = 65536


_BLOCK = b"".join(hashlib.sha256(b"ravelin" + i.to_bytes(8, "big")).digest()
                 for i in range(CHUNK // 32))


def stream(total):
    """Yields `total` deterministic bytes in chunks: a fixed pseudo-random block with the
    chunk's index stamped in front, so a misplaced or repeated chunk changes the digest."""
    index = 0
    left = total
    while left > 0:
        piece = (index.to_bytes(8, "big") + _BLOCK[8:])[:left]
        index += 1
        left -= len(piece)
        yield piece


def expected_digest(total):
    h = hashlib.sha256()
    for piece in stream(total):
        h.update(piece)
    return h.hexdigest()


def connect(host, port, timeout=60):
    s = socket.create_connection((host, port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def report(**kw):
    print(json.dumps(kw), flush=True)


def client_echo(host, port, total):
    s = connect(host, port)
    s.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE)
    source = stream(total)
    pending = b""
    sent = 0
    received = 0
    h = hashlib.sha256()
    start = time.monotonic()
    while received < total:
        if time.monotonic() - start > 300:
            break
        for key, events in sel.select(timeout=5):
            if events & selectors.EVENT_WRITE:
                if not pending:
                    pending = next(source, b"")
                if pending:
                    try:
                        n = s.send(pending)
                        pending = pending[n:]
                        sent += n
                    except BlockingIOError:
                        pass
                if not pending and sent >= total:
                    sel.modify(s, selectors.EVENT_READ)
            if events & selectors.EVENT_READ:
                data = s.recv(CHUNK)
                if not data:
                    report(ok=False, sent=sent, received=received, error="early EOF")
                    return
                h.update(data)
                received += len(data)
    s.shutdown(socket.SHUT_WR)
    s.setblocking(True)
    s.settimeout(30)
    tail = s.recv(1)
    s.close()
    seconds = time.monotonic() - start
    ok = received == total and h.hexdigest() == expected_digest(total) and tail == b""
    report(ok=ok, sent=sent, received=received, sha256=h.hexdigest(), seconds=seconds)


def client_send(host, port, total):
    s = connect(host, port)
    start = time.monotonic()
    h = hashlib.sha256()
    for piece in stream(total):
        s.sendall(piece)
        h.update(piece)
    s.shutdown(socket.SHUT_WR)
    s.settimeout(120)
    rest = s.recv(CHUNK)
    s.close()
    report(ok=rest == b"", sent=total, sha256=h.hexdigest(),
           seconds=time.monotonic() - start)


def client_recv(host, port, total):
    s = connect(host, port)
    h = hashlib.sha256()
    got = 0
    start = time.monotonic()
    first = b""
    while got < total:
        data = s.recv(min(CHUNK, total - got))
        if not data:
            break
        if len(first) < 512:
            first += data[:512 - len(first)]
        h.update(data)
        got += len(data)
    s.close()
    report(received=got, sha256=h.hexdigest(), head=first.decode("latin-1"),
           seconds=time.monotonic() - start)


def client_many(host, port, conns, total):
    socks = []
    for _ in range(conns):
        socks.append(connect(host, port))
    payload = b"".join(stream(total))
    for s in socks:
        s.sendall(payload)
    good = 0
    for s in socks:
        got = b""
        while len(got) < total:
            data = s.recv(total - len(got))
            if not data:
                break
            got += data
        good += got == payload
    for s in socks:
        s.close()
    report(ok=good == conns, good=good, conns=conns)


def client_stall(host, port, total, seconds):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # A small receive buffer (set before connect so the window scale follows) makes our
    # advertised window reach zero quickly while the echo keeps sending.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(60)
    s.connect((host, port))
    sender = threading.Thread(target=lambda: [s.sendall(p) for p in stream(total)])
    sender.start()
    time.sleep(seconds)
    h = hashlib.sha256()
    got = 0
    while got < total:
        data = s.recv(CHUNK)
        if not data:
            break
        h.update(data)
        got += len(data)
    sender.join()
    s.close()
    report(ok=got == total and h.hexdigest() == expected_digest(total), received=got)


def client_races(host, port, rounds):
    payload = b"".join(stream(8192))
    linger_rst = struct.pack("ii", 1, 0)
    for i in range(rounds):
        s = connect(host, port)
        kind = i % 5
        if kind == 0:  # data then FIN at once: our FIN races the echoed data
            s.sendall(payload)
        elif kind == 1:  # unread echo data when we close: the kernel resets (RFC 9293 3.10.4)
            s.sendall(payload)
            time.sleep(0.002)
        elif kind == 2:  # RST straight after the handshake
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger_rst)
        elif kind == 3:  # RST while data is in flight both ways
            s.sendall(payload)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger_rst)
        else:  # half-close, then read everything back
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            got = b""
            while True:
                data = s.recv(CHUNK)
                if not data:
                    break
                got += data
            if got != payload:
                report(ok=False, round=i, received=len(got))
                return
        s.close()
    report(ok=True, rounds=rounds)


def serve_one(port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(16)
    print("listening", flush=True)
    conn, addr = ls.accept()
    ls.close()
    return conn, addr


def server_sink(port):
    conn, addr = serve_one(port)
    h = hashlib.sha256()
    got = 0
    while True:
        data = conn.recv(CHUNK)
        if not data:
            break
        h.update(data)
        got += len(data)
    conn.close()
    report(received=got, sha256=h.hexdigest(), peer=addr[0])


def server_source(port, total):
    conn, addr = serve_one(port)
    h = hashlib.sha256()
    for piece in stream(total):
        conn.sendall(piece)
        h.update(piece)
    conn.shutdown(socket.SHUT_WR)
    conn.settimeout(60)
    conn.recv(1)
    conn.close()
    report(sent=total, sha256=h.hexdigest(), peer=addr[0])


def main(argv):
    # Many concurrent connections need more descriptors than the usual 1024.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))
    mode = argv[1]
    if mode == "client-echo":
        client_echo(argv[2], int(argv[3]), int(argv[4]))
    elif mode == "client-send":
        client_send(argv[2], int(argv[3]), int(argv[4]))
    elif mode == "client-recv":
        client_recv(argv[2], int(argv[3]), int(argv[4]))
    elif mode == "client-many":
        client_many(argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
    elif mode == "client-stall":
        client_stall(argv[2], int(argv[3]), int(argv[4]), float(argv[5]))
    elif mode == "client-races":
        client_races(argv[2], int(argv[3]), int(argv[4]))
    elif mode == "server-sink":
        server_sink(int(argv[2]))
    elif mode == "server-source":
        server_source(int(argv[2]), int(argv[3]))
    elif mode == "digest":
        print(expected_digest(int(argv[2])))
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv)
