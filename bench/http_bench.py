#!/usr/bin/python3
"""HTTP scenarios of P4: Ravelin beside nginx and HAProxy, same run, one core each.

  bench/http_bench.py SCENARIO [--quick] [--connections 16,64] [--seconds S]
  scenarios: proxy       Kong-style service + route to the origin (ravelin.proxy)
             proxy-waf   the same with the waf plugin: OWASP CRS 3.3.4 at paranoia 1,
                         blocking, on a GET with three query arguments; the peer is nginx
                         + ModSecurity 3 + the same CRS (system nginx-modsecurity)
             tcp-forward Ravelin's L4 forwarder (services.forward) vs nginx stream and
                         HAProxy mode tcp;
                         validates the pipeline end to end while the HTTP proxy is not in
                         main (P3)

Ravelin: lcore 0 (core 0); ravelin-loadgen on core 1 plays both the HTTP client (memif
link 0, 198.18.1.0/24) and the origin (memif link 1, 198.18.2.0/24). Its cost per request
= busy cycles (idle polls excluded) ÷ 2xx responses the client saw.
Peers: inside a namespace of their own, on its loopback only: the proxy pinned to core 0
(nginx with one worker; HAProxy with one thread); wrk (one thread) and the origin (nginx
answering the same fixed-size 200) on core 1. Cost per request = the proxy worker's
user+system CPU time ÷ requests wrk completed.

When Ravelin does not answer (no HTTP proxy in this build) its row is an error row: rps 0,
errors counted, and the reason — never a number it did not earn.

Writes bench/results/<date>-<scenario>.json and updates bench/results/latest.json,
latest.md and the PNG plots (report.py).
"""
import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
from harness import Topology  # noqa: E402
from memif_lab import Lab, Ravelin, cpu_seconds, loadgen  # noqa: E402
import report  # noqa: E402

APP_FRONT, CLIENT = "198.18.1.1", "198.18.1.10"
APP_BACK, ORIGIN = "198.18.2.1", "198.18.2.10"
ORIGIN_PORT, PROXY_PORT, FORWARD_PORT = 9000, 80, 8081
RESPONSE_BYTES = 64
# The request every client sends (P5's "small GET with three arguments").
PATH = {"proxy-waf": "/api/items?category=books&sort=price&page=2"}
SYSTEMS = {"proxy-waf": "ravelin,nginx-modsecurity"}
MODSEC_MODULE = "/usr/lib/nginx/modules/ngx_http_modsecurity_module.so"
sys.path.insert(0, HERE)
from waf_modsecurity import CRS_RULES, CRS_SETUP, MODSEC_CONF  # noqa: E402


def ravelin_config(scenario):
    """(kong yaml, extra ravelin yaml, port the client connects to)."""
    if scenario in ("proxy", "proxy-waf"):
        kong = (f"services:\n  - name: origin\n    url: http://{ORIGIN}:{ORIGIN_PORT}\n"
                f"    routes:\n      - name: all\n        paths: [\"/\"]\n")
        if scenario == "proxy-waf":
            kong += "plugins:\n  - {name: waf, config: {mode: block, paranoia_level: 1}}\n"
        return kong, f"  proxy:\n    listen: [{{port: {PROXY_PORT}}}]\n", PROXY_PORT
    if scenario == "tcp-forward":
        return "", (f"  services:\n    forward: [{{listen: {FORWARD_PORT}, "
                    f"to: \"{ORIGIN}:{ORIGIN_PORT}\"}}]\n"), FORWARD_PORT
    raise ValueError(scenario)


def run_ravelin(scenario, connections, seconds, warmup):
    rows = []
    kong, extra, port = ravelin_config(scenario)
    with Lab("http") as lab:
        s0, c0 = lab.link()
        s1, c1 = lab.link()
        app = Ravelin(lab, [(s0, f"{APP_FRONT}/24"), (s1, f"{APP_BACK}/24")],
                      extra_yaml=extra, kong_yaml=kong).start()
        for i, n in enumerate(connections):
            before = app.stats()
            r = loadgen(lab, [c0, c1],
                        ["--mode", "http-client,http-origin", "--address", f"{CLIENT}/24",
                         "--address", f"{ORIGIN}/24", "--target", f"{APP_FRONT}:{port}",
                         "--listen", ORIGIN_PORT, "--connections", n, "--duration", seconds,
                         "--warmup", warmup, "--response-bytes", RESPONSE_BYTES,
                         "--host", "bench.example", "--path", PATH.get(scenario, "/")],
                        index=i, timeout=seconds + warmup + 60, progress=sys.stderr)
            after = app.stats()
            alive = app.alive()
            client = r["roles"]["http-client"]
            cycles = after["busy_cycles"] - before["busy_cycles"]
            ok = client["completed"]
            row = {"system": "ravelin", "connections": n, "rps": client["per_second"],
                   "p50_ms": client["latency_ms"]["p50"], "p90_ms": client["latency_ms"]["p90"],
                   "p99_ms": client["latency_ms"]["p99"],
                   "p999_ms": client["latency_ms"]["p99.9"],
                   "errors": client["errors_total"], "error_kinds": client["errors"],
                   "cost_us_per_request": (cycles / r["tsc_hz"] * 1e6 / ok) if ok else None,
                   "busy_cycles": cycles, "loadgen_busy_share": r["busy_share"],
                   "origin_served": r["roles"]["http-origin"]["completed"]}
            if ok == 0:
                row["rps"] = 0
                row["p50_ms"] = row["p90_ms"] = row["p99_ms"] = row["p999_ms"] = None
                row["error"] = ("ravelin answered no HTTP request: "
                                + (", ".join(f"{k} {v}" for k, v in client["errors"].items())
                                   or "no response")
                                + ("" if scenario == "tcp-forward" else
                                   " (the HTTP proxy, P3, is not in this build)"))
            if not alive:
                row["error"] = f"ravelin exited during the run:\n{app.log()[-2000:]}"
            rows.append(row)
            if not alive:
                break
        app.stop()
    return rows


NGINX_ORIGIN = """
worker_processes 1;
daemon off;
pid {dir}/origin.pid;
error_log {dir}/origin-error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  server {{
    listen 127.0.0.1:{port} reuseport backlog=4096;
    location / {{ default_type text/plain; return 200 "{body}"; }}
  }}
}}
"""

NGINX_PROXY = """
worker_processes 1;
daemon off;
pid {dir}/proxy.pid;
error_log {dir}/proxy-error.log;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  keepalive_requests 1000000;
  upstream origin {{ server 127.0.0.1:{origin}; keepalive 512; }}
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location / {{
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}
}}
"""

NGINX_STREAM = """
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 1;
daemon off;
pid {dir}/proxy.pid;
error_log {dir}/proxy-error.log;
events {{ worker_connections 8192; }}
stream {{
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    proxy_pass 127.0.0.1:{origin};
  }}
}}
"""

HAPROXY = """
global
  nbthread 1
  maxconn 9000
defaults
  mode {mode}
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  {http_options}
frontend front
  bind 127.0.0.1:{port}
  default_backend origin
backend origin
  server o1 127.0.0.1:{origin}{server_options}
"""


def children(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def wait_port(topo, ns, port, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = topo.ns(ns, ["ss", "-Hltn", f"sport = :{port}"]).stdout
        if out.strip():
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def parse_wrk(text):
    def ms(v):
        num, unit = re.match(r"([\d.]+)(\w+)", v).groups()
        return float(num) * {"us": 1e-3, "ms": 1, "s": 1e3, "m": 6e4}[unit]
    out = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
           "requests": int(re.search(r"(\d+) requests in", text).group(1))}
    for p in ("50", "90", "99"):
        m = re.search(rf"^\s+{p}%\s+(\S+)", text, re.M)
        out[f"p{p}_ms"] = ms(m.group(1)) if m else None
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        errors += sum(int(x) for x in m.groups())
    out["errors"] = errors
    return out


def run_peer(system, scenario, connections, seconds, warmup):
    rows = []
    work = tempfile.mkdtemp(prefix=f"rv-peer-{system}-", dir="/tmp")
    try:
        return peer_rows(system, scenario, connections, seconds, warmup, work, rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def peer_rows(system, scenario, connections, seconds, warmup, work, rows):
    with Topology("hb") as topo:
        ns = topo.namespace("peer")  # loopback only
        topo.spawn(ns, ["taskset", "-c", "1", "nginx", "-c",
                                 write(work, "origin.conf", NGINX_ORIGIN.format(
                                     dir=work, port=ORIGIN_PORT, body="o" * RESPONSE_BYTES)),
                                 "-e", f"{work}/origin-error.log"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(topo, ns, ORIGIN_PORT)
        port = 8080
        tcp = scenario == "tcp-forward"
        if system in ("nginx", "nginx-modsecurity"):
            conf = write(work, "proxy.conf", (NGINX_STREAM if tcp else NGINX_PROXY).format(
                dir=work, port=port, origin=ORIGIN_PORT))
            if system == "nginx-modsecurity":
                rules = write(work, "modsec.conf", MODSEC_CONF.format(
                    tmp=work, crs_setup=CRS_SETUP, crs_rules=CRS_RULES))
                with open(conf) as f:
                    text = f.read()
                text = f"load_module {MODSEC_MODULE};\n" + text.replace(
                    "    location / {", f"    modsecurity on;\n    modsecurity_rules_file {rules};\n"
                    "    location / {")
                write(work, "proxy.conf", text)
            proxy = topo.spawn(ns, ["taskset", "-c", "0", "nginx", "-c", conf, "-e",
                                    f"{work}/proxy-error.log"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            conf = write(work, "haproxy.cfg", HAPROXY.format(
                mode="tcp" if tcp else "http", port=port, origin=ORIGIN_PORT,
                http_options="" if tcp else "option http-keep-alive",
                server_options="" if tcp else " pool-max-conn 1000"))
            proxy = topo.spawn(ns, ["taskset", "-c", "0", "haproxy", "-db", "-f", conf],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(topo, ns, port)
        # The process doing the work: nginx's worker (the master's child), HAProxy itself.
        # `proxy` is `ip netns exec`, which execs, so its pid is the server's.
        time.sleep(0.3)
        worker = children(proxy.pid)[0] if system.startswith("nginx") else proxy.pid
        for n in connections:
            url = f"http://127.0.0.1:{port}{PATH.get(scenario, '/')}"
            topo.ns(ns, ["taskset", "-c", "1", "wrk", "-t1", f"-c{n}", f"-d{max(1, round(warmup))}s", url],
                    timeout=warmup + 30)
            cpu0 = cpu_seconds(worker)
            print(f"http_bench:   {system} c={n}: wrk for {seconds:.0f} s", file=sys.stderr,
                  flush=True)
            r = topo.ns(ns, ["taskset", "-c", "1", "wrk", "-t1", f"-c{n}", f"-d{max(1, round(seconds))}s",
                             "--latency", "-H", "Host: bench.example", url],
                        timeout=seconds + 30)
            cpu = cpu_seconds(worker) - cpu0
            w = parse_wrk(r.stdout)
            rows.append({"system": system, "connections": n, "rps": w["rps"],
                         "p50_ms": w["p50_ms"], "p90_ms": w["p90_ms"], "p99_ms": w["p99_ms"],
                         "errors": w["errors"],
                         "cost_us_per_request": cpu * 1e6 / w["requests"] if w["requests"] else None,
                         "cpu_seconds": cpu})
    return rows


def write(d, name, text):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("scenario", choices=["proxy", "proxy-waf", "tcp-forward"])
    p.add_argument("--quick", action="store_true", help="fewer points, shorter runs")
    p.add_argument("--connections", help="comma list (default 16,64 quick; 1,16,64,256)")
    p.add_argument("--seconds", type=float)
    p.add_argument("--systems", help="comma list (default ravelin,nginx,haproxy; proxy-waf: "
                   "ravelin,nginx-modsecurity)")
    args = p.parse_args()
    conns = ([int(c) for c in args.connections.split(",")] if args.connections
             else [16, 64] if args.quick else [1, 16, 64, 256])
    seconds = args.seconds or (5 if args.quick else 15)
    warmup = 1 if args.quick else 2
    systems = (args.systems or SYSTEMS.get(args.scenario, "ravelin,nginx,haproxy")).split(",")
    rows = []
    for system in systems:
        print(f"http_bench: {args.scenario}: {system} at {conns} connections, {seconds:.0f} s each",
              file=sys.stderr, flush=True)
        try:
            got = (run_ravelin(args.scenario, conns, seconds, warmup) if system == "ravelin"
                   else run_peer(system, args.scenario, conns, seconds, warmup))
        except Exception as e:  # a failed system is a row with its reason, not a lost run
            got = [{"system": system, "connections": n, "rps": 0, "errors": None,
                    "cost_us_per_request": None, "p50_ms": None, "p99_ms": None,
                    "error": f"{type(e).__name__}: {e}"[:2000]} for n in conns]
        for r in got:
            r["scenario"] = args.scenario
            print(f"http_bench:   {system} c={r['connections']}: rps {r['rps']:.0f} "
                  f"errors {r['errors']}" + (f" ({r['error'][:200]})" if r.get("error") else ""),
                  file=sys.stderr, flush=True)
        rows += got
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    report.save(args.scenario, stamp, rows, {"seconds": seconds, "warmup": warmup,
                                              "connections": conns,
                                              "response_bytes": RESPONSE_BYTES})


if __name__ == "__main__":
    main()
