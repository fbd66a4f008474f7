"""Ethernet, ARP, IPv4 and ICMP of the appliance, against the Linux kernel as peer."""
import json
import re
import subprocess

from conftest import APP_ADDR
from harness import wait_for

SCAPY_PYTHON = "/usr/bin/python3"  # Debian's interpreter, the one that has scapy


def counter_delta(lab, before, name):
    return lab.app.stats()[name] - before[name]


def test_ping_gets_replies(lab):
    before = lab.app.stats()
    r = lab.client(["ping", "-c", "5", "-i", "0.2", "-W", "2", APP_ADDR])
    assert r.returncode == 0, r.stdout + r.stderr
    assert " 5 received" in r.stdout
    assert counter_delta(lab, before, "icmp_tx_echo_replies") >= 5


def test_ping_large_payload_is_echoed(lab):
    r = lab.client(["ping", "-c", "2", "-s", "1400", "-p", "a5", "-W", "2", APP_ADDR])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1408 bytes from" in r.stdout


def test_arping_resolves_the_appliance(lab):
    before = lab.app.stats()
    r = lab.client(["arping", "-c", "3", "-w", "5", "-I", lab.client_if, APP_ADDR])
    assert r.returncode == 0, r.stdout + r.stderr
    assert lab.app_mac.upper() in r.stdout.upper()
    assert counter_delta(lab, before, "arp_tx_replies") >= 3


def test_arp_for_another_address_is_not_answered(lab):
    before = lab.app.stats()
    r = lab.client(["arping", "-c", "2", "-w", "2", "-I", lab.client_if, "198.18.1.99"])
    assert r.returncode != 0
    assert counter_delta(lab, before, "arp_rx_not_for_us") >= 2


def send_frames(lab, frames_expr):
    """Sends scapy frames (a Python expression over Ether/IP/ICMP/Raw) from the client."""
    script = (
        "from scapy.all import Ether, IP, ICMP, Raw, sendp\n"
        f"frames = {frames_expr}\n"
        f"sendp(frames, iface={lab.client_if!r}, verbose=False)\n")
    r = lab.client([SCAPY_PYTHON, "-c", script])
    assert r.returncode == 0, r.stderr


def test_malformed_ipv4_is_counted_and_dropped(lab):
    # Resolve first so the kernel's own ARP traffic does not interfere with the counts.
    assert lab.client(["ping", "-c", "1", "-W", "2", APP_ADDR]).returncode == 0
    before = lab.app.stats()
    eth = f"Ether(dst={lab.app_mac!r})"
    send_frames(lab, f"[{eth}/IP(dst={APP_ADDR!r}, chksum=0x1234)/ICMP(),"
                     f" Ether(dst={lab.app_mac!r}, type=0x0800)/Raw(bytes(IP(dst={APP_ADDR!r}))[:12]),"
                     f" {eth}/IP(dst={APP_ADDR!r}, version=5)/ICMP(),"
                     f" {eth}/IP(dst={APP_ADDR!r}, ihl=3)/ICMP(),"
                     f" {eth}/IP(dst={APP_ADDR!r}, len=400)/ICMP(),"
                     f" {eth}/IP(dst={APP_ADDR!r})/ICMP(chksum=0x4321)]")
    expected = {"ipv4_rx_bad_checksum": 1, "ipv4_rx_truncated": 2, "ipv4_rx_bad_version": 1,
                "ipv4_rx_bad_header_length": 1,
                "icmp_rx_malformed": 1}
    got = wait_for(lambda: all(counter_delta(lab, before, k) >= v for k, v in expected.items()))
    after = lab.app.stats()
    assert got, {k: after[k] - before[k] for k in expected}
    for k, v in expected.items():
        assert after[k] - before[k] == v, k
    # None of them was answered, and the appliance still answers a good echo.
    assert after["icmp_tx_echo_replies"] == before["icmp_tx_echo_replies"]
    r = lab.client(["ping", "-c", "3", "-i", "0.2", "-W", "2", APP_ADDR])
    assert " 3 received" in r.stdout


def test_telemetry_readable_with_dpdk_tool(lab):
    assert lab.client(["ping", "-c", "2", "-i", "0.2", "-W", "2", APP_ADDR]).returncode == 0
    r = subprocess.run(["/usr/bin/python3", "/usr/bin/dpdk-telemetry.py", "-f", lab.app.prefix],
                       input="/ravelin/stats\n", text=True, capture_output=True, timeout=10)
    assert r.returncode == 0, r.stderr
    reply = json.loads(r.stdout.strip().splitlines()[-1])
    assert reply["/ravelin/stats"]["icmp_tx_echo_replies"] >= 2
    assert reply["/ravelin/stats"]["port_rx_packets"] >= 2


def test_sigterm_stops_cleanly_and_reports_counters(lab):
    assert lab.client(["ping", "-c", "2", "-i", "0.2", "-W", "2", APP_ADDR]).returncode == 0
    rc = lab.app.stop()
    assert rc == 0, lab.app.output
    m = re.search(r"icmp_tx_echo_replies\s+(\d+)", lab.app.output)
    assert m and int(m.group(1)) >= 2, lab.app.output
