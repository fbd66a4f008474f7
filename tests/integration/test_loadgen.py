"""ravelin-loadgen against Ravelin over net_memif: the generator's own checks (every echoed
byte compared with what was sent, HTTP responses framed and counted) hold end to end, and
Ravelin's counters agree with what the generator saw. Short runs; the figures themselves
are bench/tcp_memif.py's business."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
from memif_lab import Lab, Ravelin, loadgen, start_loadgen  # noqa: E402

APP, GEN, ORIGIN = "198.18.1.1", "198.18.1.10", "198.18.2.10"


def run(lab, devices, *args):
    return loadgen(lab, devices, ["--duration", 1.5, "--warmup", 0.3, "--quiet"] + list(args),
                   timeout=60)


def test_echo_bytes_come_back_intact():
    with Lab("itlg") as lab:
        server, client = lab.link()
        app = Ravelin(lab, [(server, f"{APP}/24")],
                      extra_yaml="  services: {echo: {port: 7}}\n").start()
        before = app.stats()
        stream = run(lab, [client], "--mode", "echo-stream", "--address", f"{GEN}/24",
                     "--target", f"{APP}:7", "--connections", 2)
        assert stream["errors"] == {}, stream["errors"]  # `corrupt` would be here
        assert stream["bytes_rx"] > 10_000_000
        assert stream["bytes_rx"] <= stream["bytes_tx"]
        cps = run(lab, [client], "--mode", "echo-cps", "--address", f"{GEN}/24",
                  "--target", f"{APP}:7", "--connections", 8, "--bytes", 100)
        assert cps["errors"] == {}, cps["errors"]
        assert cps["completed"] > 1000
        assert cps["latency_ms"]["count"] == cps["completed"]
        assert cps["bytes_rx"] == 100 * cps["completed"]
        after = app.stats()
        # Every connection the generator opened was accepted by Ravelin (warm-up included).
        assert after["tcp_passive_opens"] - before["tcp_passive_opens"] >= cps["completed"] + 2
        assert app.alive()
        assert app.stop() == 0


def test_http_through_the_forwarder():
    with Lab("itlh") as lab:
        s0, c0 = lab.link()
        s1, c1 = lab.link()
        app = Ravelin(lab, [(s0, f"{APP}/24"), (s1, "198.18.2.1/24")],
                      extra_yaml=("  services:\n    forward: [{listen: 8081, to: "
                                  f"\"{ORIGIN}:9000\"}}]\n")).start()
        r = run(lab, [c0, c1], "--mode", "http-client,http-origin", "--address", f"{GEN}/24",
                "--address", f"{ORIGIN}/24", "--target", f"{APP}:8081", "--listen", 9000,
                "--connections", 8, "--response-bytes", 1000, "--path", "/x",
                "--header", "Authorization: Bearer t")
        client, origin = r["roles"]["http-client"], r["roles"]["http-origin"]
        assert client["errors"] == {} and origin["errors"] == {}
        assert client["completed"] > 1000
        # Each response is the origin's: the client read its whole body.
        assert client["bytes_rx"] > 1000 * client["completed"]
        assert abs(origin["completed"] - client["completed"]) <= 8  # in flight at the edges
        assert app.stop() == 0


def test_ravelin_survives_its_memif_client_killed_under_traffic():
    """The trap noted in P4: a memif server crashed (exit 139) when its client went away
    under traffic. Ravelin is the server here; its client is killed mid-stream, twice, and
    a new one must still be served."""
    with Lab("itlk") as lab:
        server, client = lab.link()
        app = Ravelin(lab, [(server, f"{APP}/24")],
                      extra_yaml="  services: {echo: {port: 7}}\n").start()
        for i in range(2):
            gen = start_loadgen(lab, [client], ["--mode", "echo-stream", "--address", f"{GEN}/24",
                                                "--target", f"{APP}:7", "--connections", 4,
                                                "--duration", 30, "--quiet"], index=i)
            before = app.stats()["tcp_rx_segments"]
            deadline = time.monotonic() + 10
            while app.stats()["tcp_rx_segments"] - before < 10_000:  # under traffic
                assert time.monotonic() < deadline, "no traffic"
                time.sleep(0.1)
            os.killpg(gen.pid, signal.SIGKILL)
            gen.wait()
            time.sleep(0.5)
            assert app.alive(), app.log()
        after = run(lab, [client], "--mode", "echo-cps", "--address", f"{GEN}/24",
                    "--target", f"{APP}:7", "--connections", 4)
        assert after["completed"] > 100
        assert app.stop() == 0
