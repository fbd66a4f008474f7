#!/usr/bin/python3
"""Line rate through Ravelin's L2/L3/L4 fast path over net_memif (P4): ICMP echo at RFC 2544
frame sizes and SYN-cookie answers under a SYN flood, beside the memif ceiling measured in
the same run with the same generator against a trivial reflector.

  Ravelin:  ravelin (lcore 0 = core 0, memif server) <-memif-> ravelin-loadgen pkt-icmp /
            pkt-syn (core 1)
  ceiling:  dpdk-testpmd --forward-mode=macswap (forwarding lcore on core 0, memif server)
            <-memif-> the same generator: what memif and the generator can move at all

Ravelin answers ICMP echo in place (tcpstack/src/icmp.cpp) and a SYN to a listening port,
with its half-open table held full (tcp_max_half_open: 1), by a SYN cookie
(tcpstack/src/syn_cookie.cpp). The reflector swaps MAC addresses and sends every frame back.

ns/packet = Ravelin's busy cycles (idle polls excluded, dataplane/src/worker.cpp) over the
packets it received (port_rx_packets), both over the generator's whole run, divided by the
TSC rate in GHz. At line rate Ravelin is busy all the time, so this is also 1 / its pps.
The Linux kernel is no peer here: the same generator over af_packet is bound by af_packet
(~0.26 Mpps), not by the kernel's ICMP path, so the ceiling is the honest comparison.

  bench/linerate.py [--quick] [--seconds S] [--sizes 64,128,...] [--json FILE]
(root; build first: ninja ravelin ravelin-loadgen; dpdk-testpmd from Debian's dpdk)
"""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import report  # noqa: E402
from memif_lab import Lab, Ravelin, loadgen  # noqa: E402
from tcp_memif import loadavg, preemptions  # noqa: E402

APP, GEN = "198.18.1.1", "198.18.1.10"
DISCARD = 9
SIZES = (64, 128, 256, 512, 1024, 1518)
QUICK_SIZES = (64, 512, 1518)
TESTPMD = "/usr/bin/dpdk-testpmd"
# Ravelin: every SYN beyond the first is answered by a cookie (the one half-open slot stays
# taken while its SYN-ACK is retransmitted for a minute).
RAVELIN_YAML = (f"  services: {{discard: {{port: {DISCARD}}}}}\n"
                "  stack: {tcp_max_half_open: 1, tcp_listen_backlog: 1}\n")


def blast(lab, client, mode, args, extra):
    return loadgen(lab, [client], ["--mode", mode, "--address", f"{GEN}/24", "--duration",
                                   args.seconds, "--warmup", args.warmup, "--quiet"] + extra,
                   timeout=args.seconds + 60)


def runs(args, sizes):
    """(mode, frame size, loadgen arguments) of every measurement, ICMP first."""
    out = [("pkt-icmp", s, ["--target", APP, "--frame-size", s]) for s in sizes]
    out.append(("pkt-syn", 64, ["--target", f"{APP}:{DISCARD}"]))
    return out


def ravelin_runs(args, sizes):
    results = []
    with Lab("lrv") as lab:
        server, client = lab.link()
        # The generator is the gateway to the flood's sources (198.19/16, off this /24).
        app = Ravelin(lab, [(server, f"{APP}/24", GEN)], extra_yaml=RAVELIN_YAML).start()
        for mode, size, extra in runs(args, sizes):
            before, t0, pre0 = app.stats(), time.monotonic(), preemptions(app.proc.pid)
            rep = blast(lab, client, mode, args, extra)
            after, wall = app.stats(), time.monotonic() - t0
            if not app.alive():
                raise RuntimeError(f"ravelin died in the {mode} {size} run:\n{app.log()}")
            d = {k: after[k] - before[k] for k in after
                 if isinstance(after[k], int) and isinstance(before.get(k), int)}
            ghz = rep["tsc_hz"] / 1e9
            rx = max(1, d["port_rx_packets"])
            results.append({"mode": mode, "frame_size": size, "loadgen": rep,
                            "ravelin": {k: d.get(k, 0) for k in (
                                "busy_cycles", "busy_polls", "port_rx_packets",
                                "port_tx_packets", "port_tx_dropped", "icmp_rx_echo_requests",
                                "icmp_tx_echo_replies", "tcp_syn_cookies_sent",
                                "tcp_syn_cookies_accepted", "tcp_half_open_full",
                                "tcp_listen_overflow")},
                            "busy_share": d["busy_cycles"] / (wall * rep["tsc_hz"]),
                            # Other load on the two cores inflates busy cycles (tcp_memif.py).
                            "preemptions": preemptions(app.proc.pid) - pre0,
                            "loadavg_after": loadavg(),
                            "ns_per_packet": d["busy_cycles"] / rx / ghz})
        results.append({"exit_code": app.stop()})
    return results


def start_testpmd(lab, server, prefix):
    """macswap reflector as the memif server; forwarding lcore 1 and the (sleeping) main
    lcore both on core 0, so the generator keeps core 1 to itself."""
    # Line-buffered so that "Press enter to exit" (forwarding has started) reaches the log.
    cmd = ["stdbuf", "-oL", TESTPMD, "--lcores=0@0,1@0", "--no-huge", "-m", "1024", "--no-pci",
           "--no-shconf", f"--file-prefix={prefix}", "--log-level=*:warning", "--no-telemetry",
           f"--vdev={server}", "--", "--forward-mode=macswap", "--auto-start", "--nb-cores=1",
           "--total-num-mbufs=16384"]
    log_path = os.path.join(lab.dir, f"{prefix}.log")
    # It runs until its stdin is closed.
    proc = lab.spawn(None, cmd, stdin=subprocess.PIPE, stdout=open(log_path, "w"),
                     stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:
        with open(log_path) as f:
            text = f.read()
        if "Press enter to exit" in text:
            return proc
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"testpmd did not start:\n{text}")
        time.sleep(0.05)


def ceiling_runs(args, sizes):
    """One testpmd per run: testpmd is a memif server too and DPDK's disconnect race
    (memif_lab.py) can take it down when a generator leaves, after its figures are in."""
    results = []
    with Lab("lrc") as lab:
        for i, (mode, size, extra) in enumerate(runs(args, sizes)):
            server, client = lab.link()
            mac = server.split("mac=")[1].split(",")[0]
            prefix = f"tp{lab.tag}{i}"
            proc = None
            try:
                proc = start_testpmd(lab, server, prefix)
                rep = blast(lab, client, mode, args, extra + ["--target-mac", mac])
            finally:
                if proc is not None:
                    proc.stdin.close()
                    try:
                        proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        pass  # Lab.close() sends SIGTERM, then SIGKILL
                shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
            results.append({"mode": mode, "frame_size": size, "loadgen": rep,
                            "testpmd_exit": proc.returncode})
    return results


def table(rav, ceil, args):
    lines = [f"Line rate over net_memif, {args.seconds:g} s per run after {args.warmup:g} s "
             "warm-up; Ravelin on core 0, generator on core 1; ceiling = same generator "
             "against dpdk-testpmd macswap.", "",
             "| traffic | frame B | ravelin answers/s | ns/packet (cycles) | reply ratio | "
             "ceiling frames/s | ravelin ÷ ceiling | ravelin busy | generator busy, tx refused |",
             "|---|---|---|---|---|---|---|---|---|"]
    rows = []
    for r, c in zip(rav, ceil):
        lg, total = r["loadgen"], r["loadgen"]["total"]
        ceiling = c["loadgen"]["rx_pps"]
        ratio = lg["answers_per_second"] / ceiling if ceiling else 0
        reply = total["answers"] / total["tx"] if total["tx"] else 0
        what = "ICMP echo" if r["mode"] == "pkt-icmp" else "SYN → cookie SYN-ACK"
        cycles = r["ns_per_packet"] * lg["tsc_hz"] / 1e9
        lines.append(f"| {what} | {r['frame_size']} | {lg['answers_per_second']:,.0f} | "
                     f"{r['ns_per_packet']:.1f} ({cycles:.0f}) | {reply:.4f} | {ceiling:,.0f} | "
                     f"{ratio:.2f} | {r['busy_share']:.2f} | {lg['busy_share']:.2f}, "
                     f"{lg['tx_refused_share']:.2f} |")
        rows.append({"traffic": r["mode"], "frame_size": r["frame_size"],
                     "ravelin_pps": lg["answers_per_second"], "ns_per_packet": r["ns_per_packet"],
                     "reply_ratio": reply, "ceiling_pps": ceiling, "ratio": ratio})
    syn = next(r for r in rav if r["mode"] == "pkt-syn")
    lines += ["", f"SYN flood: {syn['ravelin']['tcp_syn_cookies_sent']:,} SYN cookies sent by "
              f"Ravelin over the run, {syn['loadgen']['total']['answers']:,} SYN-ACKs counted by "
              f"the generator; mismatched answers: "
              + ", ".join(f"{r['mode']} {r['frame_size']}: {r['loadgen']['total']['mismatched']}"
                          for r in rav) + ".",
              "ns/packet = ravelin busy_cycles ÷ port_rx_packets ÷ TSC GHz; reply ratio = "
              "answers ÷ frames sent over the whole run (after a 200 ms drain); tx refused = "
              "share of frames the memif ring did not take (the receiver was the bottleneck).",
              "Machine load: Ravelin preempted " + ", ".join(
                  f"{r['preemptions']}" for r in rav) + " times per run, load average "
              + ", ".join(f"{r['loadavg_after']:.1f}" for r in rav) + " after each (a poll-mode "
              "core preempted inside a busy iteration counts the lost time as busy)."]
    return lines, rows


def latest_rows(rows, stamp):
    """Headline rows for latest.json: one scenario per traffic kind at 64 B."""
    out = []
    for r in rows:
        if r["frame_size"] != 64:
            continue
        scenario = "linerate-icmp64" if r["traffic"] == "pkt-icmp" else "linerate-syncookie"
        for system, pps, ns in (("ravelin", r["ravelin_pps"], r["ns_per_packet"]),
                                ("memif-ceiling", r["ceiling_pps"], None)):
            out.append({"scenario": scenario, "system": system, "rps": pps,
                        "cost_us_per_request": ns / 1000 if ns else None, "p50_ms": None,
                        "p99_ms": None, "errors": None, "connections": "", "date": stamp})
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES}, 2 s runs")
    p.add_argument("--seconds", type=float)
    p.add_argument("--warmup", type=float)
    p.add_argument("--sizes", help="comma-separated frame sizes (FCS included)")
    p.add_argument("--json", help="write here instead of bench/results/<date>-linerate.json")
    args = p.parse_args()
    args.seconds = args.seconds or (2 if args.quick else 5)
    args.warmup = args.warmup if args.warmup is not None else (0.5 if args.quick else 1)
    sizes = ([int(s) for s in args.sizes.split(",")] if args.sizes
             else QUICK_SIZES if args.quick else SIZES)
    started = time.monotonic()
    rav = ravelin_runs(args, sizes)
    exit_code = rav.pop()["exit_code"]
    ceil = ceiling_runs(args, sizes)
    lines, rows = table(rav, ceil, args)
    lines.append(f"ravelin exit code: {exit_code}; testpmd exit codes "
                 f"{[c['testpmd_exit'] for c in ceil]} (-11: DPDK's memif disconnect race, "
                 f"after the run); scenario took {time.monotonic() - started:.0f} s")
    print("\n".join(lines))
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    doc = {"scenario": "linerate", "date": stamp,
           "meta": {"seconds": args.seconds, "warmup": args.warmup, "sizes": sizes,
                    "ravelin_exit_code": exit_code},
           "rows": rows, "ravelin": rav, "ceiling": ceil}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(doc, f, indent=1)
        with open(os.path.splitext(args.json)[0] + ".md", "w") as f:
            f.write("\n".join(lines) + "\n")
    else:
        report.save_document("linerate", stamp, doc, lines, latest_rows(rows, stamp))


if __name__ == "__main__":
    main()
