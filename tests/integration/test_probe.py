"""`ravelin --probe` against a real af_packet port inside a namespace."""
import re

from harness import Appliance, Topology, ravelin_binary


def test_probe_reports_ports_cpu_and_hugepages():
    with Topology("prb") as topo:
        app_ns = topo.namespace("app")
        peer_ns = topo.namespace("peer")
        app_if, _ = topo.link(app_ns, peer_ns, addr_b="198.18.9.10/24")
        app = Appliance(topo, app_ns, [{"name": "front", "iface": app_if,
                                        "address": "198.18.9.1/24"}])
        r = topo.ns(app_ns, [ravelin_binary(), "--probe", "--config", app.config_path])
        out = r.stdout
        for section in ("CPU", "Hugepages", "Ports"):
            assert re.search(rf"^{section}", out, re.M), out
        # The af_packet vdev is named and its driver and queue limits are read from the device.
        assert "net_af_packet" in out, out
        assert re.search(r"driver net_af_packet", out), out
        assert re.search(r"queues\s+rx \d+, tx \d+", out), out
        # af_packet has no flow API: the probe must say so rather than claim support.
        assert re.search(r"rte_flow\s+not supported", out), out
        # CPU features come from CPUID; SSSE3 is the least Hyperscan runs on.
        assert re.search(r"^  features .*\bssse3\b", out, re.M), out
        # The probe starts no dataplane: the peer's interface saw no frame from it.
        assert "ravelin: ready" not in out
