#!/usr/bin/python3
"""TCP bulk throughput through Ravelin's own stack beside the Linux kernel's, same run, same
kind of veth link, same client: the client sends N bytes to Ravelin's discard service (RFC
863) and then to a kernel sink in another namespace, and reads N bytes of Ravelin's chargen
and of a kernel source. Also the appliance's busy cycles per TCP segment.

  bench/tcp_throughput.py [MEGABYTES]      (default 200; root; builds nothing)

On af_packet every frame crosses the kernel twice (veth, then the packet socket), so this
measures the vdev path more than the stack; memif figures come with the load generator.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from harness import Appliance, Topology  # noqa: E402

PEER = ["/usr/bin/python3", os.path.join(HERE, "..", "tests", "integration", "tcp_peer.py")]
APP, CLIENT, KERNEL = "198.18.1.1", "198.18.1.10", "198.18.3.1"


def peer(topo, ns, *args):
    r = topo.ns(ns, PEER + [str(a) for a in args], timeout=900)
    return json.loads(r.stdout.strip().splitlines()[-1])


def kernel_server(topo, ns, *args):
    proc = topo.spawn(ns, PEER + [str(a) for a in args], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "listening"
    return proc


def main():
    total = int(sys.argv[1]) * 1_000_000 if len(sys.argv) > 1 else 200_000_000
    rows = []
    with Topology("tput") as topo:
        app_ns, cli_ns, ker_ns = (topo.namespace(n) for n in ("app", "cli", "ker"))
        app_if, _ = topo.link(app_ns, cli_ns, addr_b=f"{CLIENT}/24")
        cli_k_if, _ = topo.link(cli_ns, ker_ns, addr_b=f"{KERNEL}/24")
        topo.ns(cli_ns, ["ip", "addr", "add", "198.18.3.10/24", "dev", cli_k_if])
        app = Appliance(topo, app_ns, [{"name": "front", "iface": app_if,
                                        "address": f"{APP}/24"}],
                        extra_yaml="  services: {discard: {port: 9}, chargen: {port: 19}}\n")
        app.start()
        before = app.stats()
        send_r = peer(topo, cli_ns, "client-send", APP, 9, total)
        recv_r = peer(topo, cli_ns, "client-recv", APP, 19, total)
        after = app.stats()
        sink = kernel_server(topo, ker_ns, "server-sink", 9000)
        send_k = peer(topo, cli_ns, "client-send", KERNEL, 9000, total)
        sink.communicate(timeout=60)
        source = kernel_server(topo, ker_ns, "server-source", 9001, total)
        recv_k = peer(topo, cli_ns, "client-recv", KERNEL, 9001, total)
        source.communicate(timeout=60)
        app.stop()
    mb = total / 1e6
    for what, r, k in (("client → server (discard / kernel sink)", send_r, send_k),
                       ("server → client (chargen / kernel source)", recv_r, recv_k)):
        rr, kr = mb / r["seconds"], mb / k["seconds"]
        rows.append((what, rr, kr))
    segs = sum(after[c] - before[c] for c in ("tcp_rx_segments", "tcp_tx_segments"))
    cycles = after["busy_cycles"] - before["busy_cycles"]
    print(f"TCP bulk transfer, {mb:.0f} MB each way, one connection, veth + af_packet")
    print("| direction | ravelin MB/s | linux kernel MB/s | ratio |")
    print("|---|---|---|---|")
    for what, rr, kr in rows:
        print(f"| {what} | {rr:.0f} | {kr:.0f} | {rr / kr:.2f} |")
    print(f"\nravelin busy cycles per TCP segment (rx+tx, incl. af_packet syscalls): "
          f"{cycles / max(1, segs):.0f} over {segs} segments")


if __name__ == "__main__":
    main()
