"""Small-GET keep-alive proxying: Ravelin beside nginx and HAProxy in the same run.

One origin (nginx, `return 200`) in its own namespace; wrk in a client namespace. Each
proxy gets one core (Ravelin's lcore 1; nginx and HAProxy pinned to CPU 1 with one
worker/thread) and keeps upstream connections alive. Reported per proxy: requests/s and
the proxy core's cost per request — Ravelin's busy TSC cycles (idle polls excluded) over
the requests it proxied, the kernel proxies' user+system CPU time over theirs, both in
cycles at the TSC rate from /proc/cpuinfo. Run as root from the repository:

  /usr/bin/python3 bench/proxy_bench.py [--seconds 8] [--connections 32]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
from harness import Appliance, Topology  # noqa: E402

APP_FRONT, CLIENT_A = "198.18.1.1", "198.18.1.10"
APP_BACK, ORIGIN_A = "198.18.2.1", "198.18.2.10"
KPROXY_FRONT, CLIENT_B = "198.18.3.1", "198.18.3.10"
KPROXY_BACK, ORIGIN_B = "198.18.4.1", "198.18.4.10"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def tsc_hz():
    with open("/proc/cpuinfo") as f:
        return float(re.search(r"cpu MHz\s*:\s*([\d.]+)", f.read()).group(1)) * 1e6


def cpu_ticks(root_pid):
    """utime + stime of a process and its children (nginx master and workers)."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(pid) == root_pid or int(fields[1]) == root_pid:
            total += int(fields[11]) + int(fields[12])
    return total


def wrk(topo, ns, url, seconds, connections):
    r = topo.ns(ns, ["taskset", "-c", "0", "wrk", "-t1", f"-c{connections}", f"-d{seconds}s",
                     url], check=False, timeout=seconds + 30)
    total = int(re.search(r"(\d+) requests in", r.stdout).group(1))
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", r.stdout).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", r.stdout)
    return total, rps, int(errors.group(1)) if errors else 0


NGINX_ORIGIN = """worker_processes 1; daemon off; pid {dir}/origin.pid; error_log {dir}/origin.err;
events {{ worker_connections 4096; }}
http {{ access_log off; keepalive_requests 10000000;
  server {{ listen 8000 reuseport; location / {{ return 200 "hello from the origin\\n"; }} }} }}
"""
NGINX_PROXY = """worker_processes 1; daemon off; pid {dir}/proxy.pid; error_log {dir}/proxy.err;
events {{ worker_connections 4096; }}
http {{ access_log off; keepalive_requests 10000000;
  upstream origin {{ server {origin}:8000; keepalive 128; }}
  server {{ listen {front}:80; location / {{ proxy_pass http://origin;
    proxy_http_version 1.1; proxy_set_header Connection ""; }} }} }}
"""
HAPROXY = """global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
  http-reuse always
frontend f
  bind {front}:81
  default_backend b
backend b
  server o {origin}:8000
"""


def kernel_proxy(topo, ns, name, cmd, url, args):
    proc = topo.spawn(ns, ["taskset", "-c", "1"] + cmd, stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL)
    time.sleep(1)
    wrk(topo, "rvbench-cli", url, 2, args.connections)  # warm-up
    t0 = cpu_ticks(proc.pid)
    total, rps, errors = wrk(topo, "rvbench-cli", url, args.seconds, args.connections)
    cycles = (cpu_ticks(proc.pid) - t0) / CLK_TCK * tsc_hz() / max(total, 1)
    os.killpg(proc.pid, 9)
    proc.wait()
    return {"name": name, "rps": rps, "cycles": cycles, "errors": errors}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()
    with Topology("bench") as topo:
        app_ns, cli_ns = topo.namespace("app"), topo.namespace("cli")
        org_ns, kp_ns = topo.namespace("org"), topo.namespace("kp")
        # Fixed names so that wrk() can find the client namespace.
        subprocess.run(["ip", "netns", "add", "rvbench-cli"], check=True)
        topo.namespaces.append("rvbench-cli")
        topo.ns("rvbench-cli", ["ip", "link", "set", "lo", "up"])
        front, _ = topo.link(app_ns, "rvbench-cli", addr_b=f"{CLIENT_A}/24")
        back, _ = topo.link(app_ns, org_ns, addr_b=f"{ORIGIN_A}/24")
        # The kernel proxies' namespace: addresses on both sides, a kernel peer each way.
        kf, _ = topo.link(kp_ns, "rvbench-cli", addr_b=f"{CLIENT_B}/24")
        kb, _ = topo.link(kp_ns, org_ns, addr_b=f"{ORIGIN_B}/24")
        topo.ns(kp_ns, ["ip", "addr", "add", f"{KPROXY_FRONT}/24", "dev", kf])
        topo.ns(kp_ns, ["ip", "addr", "add", f"{KPROXY_BACK}/24", "dev", kb])
        work = tempfile.mkdtemp(prefix="rv-proxy-bench-")
        for name, text in (("origin.conf", NGINX_ORIGIN), ("proxy.conf", NGINX_PROXY),
                           ("haproxy.cfg", HAPROXY)):
            with open(os.path.join(work, name), "w") as f:
                f.write(text.format(dir=work, origin=ORIGIN_B, front=KPROXY_FRONT))
        topo.spawn(org_ns, ["taskset", "-c", "0", "nginx", "-c", f"{work}/origin.conf",
                            "-p", work], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        kong = f"""  proxy:
    listen: [{{port: 80}}]
services:
  - name: origin
    host: {ORIGIN_A}
    port: 8000
    routes: [{{name: all, paths: [/]}}]
"""
        app = Appliance(topo, app_ns, [
            {"name": "front", "iface": front, "address": f"{APP_FRONT}/24", "index": 0},
            {"name": "back", "iface": back, "address": f"{APP_BACK}/24", "index": 1}],
            extra_yaml=kong, lcore=1).start()
        url = f"http://{APP_FRONT}/"
        wrk(topo, "rvbench-cli", url, 2, args.connections)  # warm-up: ARP, pool
        before = app.stats()
        total, rps, errors = wrk(topo, "rvbench-cli", url, args.seconds, args.connections)
        after = app.stats()
        served = after["proxy_requests"] - before["proxy_requests"]
        for k in ("port_rx_packets", "port_tx_packets", "busy_polls", "busy_cycles",
                  "port_tx_cycles", "proxy_upstream_connects"):
            print(f"   ravelin {k} per request: {(after[k] - before[k]) / max(served, 1):.2f}")
        results = [{"name": "ravelin", "rps": rps, "errors": errors,
                    "cycles": (after["busy_cycles"] - before["busy_cycles"]) / max(served, 1),
                    "tx_cycles": (after["port_tx_cycles"] - before["port_tx_cycles"])
                    / max(served, 1)}]
        app.stop()

        results.append(kernel_proxy(topo, kp_ns, "nginx", [
            "nginx", "-c", f"{work}/proxy.conf", "-p", work], f"http://{KPROXY_FRONT}/", args))
        results.append(kernel_proxy(topo, kp_ns, "haproxy", [
            "haproxy", "-f", f"{work}/haproxy.cfg"], f"http://{KPROXY_FRONT}:81/", args))

    print(f"small GET, keep-alive both sides, wrk -t1 -c{args.connections} -d{args.seconds}s, "
          f"TSC {tsc_hz() / 1e6:.0f} MHz")
    print(f"{'proxy':10} {'requests/s':>12} {'cycles/request':>15} {'non-2xx':>8}")
    for r in results:
        print(f"{r['name']:10} {r['rps']:12.0f} {r['cycles']:15.0f} {r['errors']:8}")
    rv, ngx = results[0], results[1]
    own = rv["cycles"] - rv["tx_cycles"]
    print(f"ravelin cycles/request without the af_packet tx kick (sendto into the kernel): "
          f"{own:.0f}")
    print(f"proxy-core cost ratio nginx/ravelin: {ngx['cycles'] / rv['cycles']:.2f}x "
          f"(without the tx kick: {ngx['cycles'] / own:.2f}x); "
          f"requests/s ratio: {rv['rps'] / ngx['rps']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
