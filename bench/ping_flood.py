"""Ping flood (`ping -f`) against the appliance, beside the same flood against a Linux
kernel peer over an identical veth link and against the client's own address.
Usage: /usr/bin/python3 bench/ping_flood.py [COUNT]   (root; builds nothing, needs
build/release/bin/ravelin or RAVELIN_BIN)."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                "tests", "integration"))
from harness import Appliance, Topology  # noqa: E402


def flood(topo, ns, target, count):
    r = topo.ns(ns, ["ping", "-q", "-f", "-c", str(count), "-W", "1", target], check=False)
    loss = re.search(r"([\d.]+)% packet loss", r.stdout)
    rtt = re.search(r"= ([\d.]+)/([\d.]+)/([\d.]+)/([\d.]+) ms", r.stdout)
    took = re.search(r"time (\d+)ms", r.stdout)
    return {"loss_pct": float(loss.group(1)) if loss else None,
            "rtt_min_avg_max_mdev_ms": [float(x) for x in rtt.groups()] if rtt else None,
            "time_ms": int(took.group(1)) if took else None, "raw": r.stdout.strip()}


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    with Topology("pfl") as topo:
        app_ns, cli_ns, peer_ns = (topo.namespace(n) for n in ("app", "cli", "peer"))
        app_if, _ = topo.link(app_ns, cli_ns, addr_b="198.18.1.10/24")
        peer_if, _ = topo.link(peer_ns, cli_ns, addr_b="198.18.2.10/24")
        topo.ns(peer_ns, ["ip", "addr", "add", "198.18.2.1/24", "dev", peer_if])
        app = Appliance(topo, app_ns, [{"name": "front", "iface": app_if,
                                        "address": "198.18.1.1/24"}]).start()
        rows = [("ravelin (af_packet, veth)", flood(topo, cli_ns, "198.18.1.1", count)),
                ("linux kernel peer (veth)", flood(topo, cli_ns, "198.18.2.1", count)),
                ("client's own address", flood(topo, cli_ns, "198.18.1.10", count))]
        stats = app.stats()
        app.stop()
    print(f"ping -f -c {count}")
    print(f"| target | loss % | rtt min/avg/max/mdev ms | wall ms |")
    print(f"|---|---|---|---|")
    for name, r in rows:
        rtt = "/".join(f"{x:.3f}" for x in r["rtt_min_avg_max_mdev_ms"] or [])
        print(f"| {name} | {r['loss_pct']} | {rtt} | {r['time_ms']} |")
    busy = stats["busy_cycles"] / max(1, stats["port_rx_packets"])
    print(f"\nravelin busy cycles per received packet: {busy:.0f} "
          f"(echo replies sent: {stats['icmp_tx_echo_replies']})")


if __name__ == "__main__":
    main()
