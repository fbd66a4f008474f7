"""The packet blaster (ravelin-loadgen pkt-icmp / pkt-syn) against Ravelin over net_memif:
every echo reply answers a request that was sent, byte for byte, and Ravelin's counters
account for every frame; under a SYN flood with the half-open table full the SYN-ACKs are
SYN cookies, and ACKs carrying them open connections. Short runs, no speed asserted (the
figures are bench/linerate.py's business)."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
from memif_lab import Lab, Ravelin, loadgen, start_loadgen  # noqa: E402

APP, GEN = "198.18.1.1", "198.18.1.10"
YAML = ("  services: {discard: {port: 9}}\n"
        "  stack: {tcp_max_half_open: 1, tcp_listen_backlog: 1}\n")


def blast(lab, client, *args):
    return loadgen(lab, [client], ["--address", f"{GEN}/24", "--duration", 1.5, "--warmup", 0.3,
                                   "--quiet"] + list(args), timeout=60)


def delta(before, after):
    return {k: after[k] - before[k] for k in after
            if isinstance(after[k], int) and isinstance(before.get(k), int)}


def test_every_echo_reply_answers_a_request_intact():
    with Lab("itlr") as lab:
        server, client = lab.link()
        app = Ravelin(lab, [(server, f"{APP}/24", GEN)], extra_yaml=YAML).start()
        for size in (64, 1518):
            before = app.stats()
            r = blast(lab, client, "--mode", "pkt-icmp", "--target", APP, "--frame-size", size,
                      "--verify")
            d = delta(before, app.stats())
            t = r["total"]
            assert r["frame_size"] == size
            assert t["mismatched"] == 0 and t["unmatched"] == 0, t
            assert r["answers"] > 10_000, r
            # memif loses nothing client to server: every frame the port took reached
            # Ravelin, and each was answered.
            assert d["icmp_rx_echo_requests"] == t["tx"], (d, t)
            assert d["icmp_tx_echo_replies"] == t["tx"], (d, t)
            # What did not come back is what Ravelin's port could not send (ARP replies, at
            # most a couple, share that count).
            assert t["tx"] - t["answers"] <= d["port_tx_dropped"] <= t["tx"] - t["answers"] + 2, \
                (d, t)
        assert app.alive()
        assert app.stop() == 0


def test_syn_flood_is_answered_with_cookies_that_open_connections():
    with Lab("itls") as lab:
        server, client = lab.link()
        app = Ravelin(lab, [(server, f"{APP}/24", GEN)], extra_yaml=YAML).start()
        before = app.stats()
        r = blast(lab, client, "--mode", "pkt-syn", "--target", f"{APP}:9", "--complete", 200)
        d = delta(before, app.stats())
        t = r["total"]
        assert t["mismatched"] == 0, t
        assert r["answers"] > 10_000, r
        # The single half-open slot holds a real TCB; every SYN that found it taken got a
        # cookie. It frees only when its connection completes (a minute of SYN-ACK
        # retransmissions otherwise), so each real TCB but the last was completed by us.
        real = t["tx"] - d["tcp_syn_cookies_sent"]
        assert 1 <= real <= 1 + d["tcp_passive_opens"] - d["tcp_syn_cookies_accepted"], (d, t)
        assert t["answers"] <= t["tx"] + d["tcp_tx_retransmits"], (d, t)
        # Every cookie ACK opened a connection, the RSTs after them closed them again.
        assert t["handshakes_completed"] == 200
        assert d["tcp_passive_opens"] == 200, d
        assert d["tcp_syn_cookies_accepted"] >= 200 - real, d
        assert d.get("tcp_syn_cookies_rejected", 0) == 0, d
        assert d["tcp_passive_opens"] == 200, d
        assert d["tcp_rx_rst"] >= 200, d
        assert app.alive()
        assert app.stop() == 0


def test_ravelin_survives_generators_stopped_mid_flood():
    """The workaround for DPDK 22.11's memif race (bench/memif_lab.py): a generator told to
    stop (SIGTERM) stops sending, drains for 200 ms and only then closes its port, so
    Ravelin's rx burst is idle when the PMD unmaps the ring. Five stops at full rate of
    1518-byte frames, then a new generator is still answered."""
    with Lab("itlt") as lab:
        server, client = lab.link()
        app = Ravelin(lab, [(server, f"{APP}/24", GEN)], extra_yaml=YAML).start()
        for i in range(5):
            gen = start_loadgen(lab, [client], ["--mode", "pkt-icmp", "--address", f"{GEN}/24",
                                                "--target", APP, "--frame-size", 1518,
                                                "--duration", 30, "--quiet"], index=i % 2)
            before = app.stats()["port_rx_packets"]
            deadline = time.monotonic() + 10
            while app.stats()["port_rx_packets"] - before < 50_000:  # under traffic
                assert time.monotonic() < deadline, "no traffic"
                time.sleep(0.05)
            os.killpg(gen.pid, signal.SIGTERM)
            out, _ = gen.communicate(timeout=10)
            assert gen.returncode == 0 and '"pkt-icmp"' in out
            time.sleep(0.2)
            assert app.alive(), app.log()
        r = blast(lab, client, "--mode", "pkt-icmp", "--target", APP)
        assert r["answers"] > 10_000 and r["total"]["mismatched"] == 0
        assert app.stop() == 0
