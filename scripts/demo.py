"""The demo topology: Ravelin in its own namespace on net_af_packet, a client namespace
with the Linux kernel as peer. Shows ARP, ICMP, drop counters and telemetry, then cleans up."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                "tests", "integration"))
from harness import Appliance, Topology  # noqa: E402

APP, CLIENT = "198.18.1.1", "198.18.1.10"


def step(title):
    print(f"\n== {title}", flush=True)


def show(result):
    for line in (result.stdout + result.stderr).strip().splitlines():
        print(f"   {line}")


def main():
    with Topology("demo") as topo:
        app_ns, cli_ns = topo.namespace("app"), topo.namespace("cli")
        app_if, cli_if = topo.link(app_ns, cli_ns, addr_b=f"{CLIENT}/24")
        step(f"starting ravelin in namespace {app_ns} on net_af_packet (iface {app_if})")
        app = Appliance(topo, app_ns, [{"name": "front", "iface": app_if,
                                        "address": f"{APP}/24"}]).start()
        for line in app.log().splitlines():
            print(f"   {line}")

        step(f"arping {APP} from the client namespace (kernel ARP)")
        show(topo.ns(cli_ns, ["arping", "-c", "2", "-w", "3", "-I", cli_if, APP], check=False))
        step(f"ping {APP}")
        show(topo.ns(cli_ns, ["ping", "-c", "4", "-i", "0.2", APP], check=False))
        step("a flood of 20,000 pings")
        flood = topo.ns(cli_ns, ["ping", "-f", "-c", "20000", "-W", "1", APP], check=False)
        show(flood)

        step("malformed packets from scapy: bad IPv4 checksum, truncated header")
        mac = re.search(r"([0-9a-f:]{17}) up", app.log()).group(1)
        script = ("from scapy.all import Ether, IP, ICMP, Raw, sendp\n"
                  f"e = Ether(dst='{mac}')\n"
                  f"sendp([e/IP(dst='{APP}', chksum=1)/ICMP(),"
                  f" Ether(dst='{mac}', type=0x800)/Raw(bytes(IP(dst='{APP}'))[:12])],"
                  f" iface='{cli_if}', verbose=False)\n")
        topo.ns(cli_ns, ["/usr/bin/python3", "-c", script])
        show(topo.ns(cli_ns, ["ping", "-c", "1", APP], check=False))

        step("counters from the DPDK telemetry socket (/ravelin/stats)")
        stats = app.stats()
        for name in ("port_rx_packets", "port_tx_packets", "arp_tx_replies",
                     "icmp_tx_echo_replies", "ipv4_rx_bad_checksum", "ipv4_rx_truncated"):
            print(f"   {name:28} {stats[name]}")
        cycles = stats["busy_cycles"] / max(1, stats["port_rx_packets"])
        print(f"   busy cycles per packet received: {cycles:.0f}")

        step("stopping ravelin (SIGTERM)")
        rc = app.stop()
        print(f"   exit code {rc}")
        ok = (rc == 0 and stats["icmp_tx_echo_replies"] >= 19000
              and stats["ipv4_rx_bad_checksum"] >= 1 and stats["ipv4_rx_truncated"] >= 1)
    step("summary")
    print(f"   echo replies {stats['icmp_tx_echo_replies']}, malformed packets dropped and "
          f"counted: {stats['ipv4_rx_bad_checksum'] + stats['ipv4_rx_truncated']}, "
          f"clean stop: {rc == 0}; namespaces removed.")
    print("   demo " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
