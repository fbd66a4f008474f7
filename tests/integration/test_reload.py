"""Config reloads and host names, end to end: a running Ravelin takes a changed kong.yml on
SIGHUP while wrk keeps requests flowing, refuses a broken one with its position and keeps
serving, keeps a target's health across reloads, follows a hosts-file change of a service's
name, hashes on a route's regex capture, and keeps per-target figures."""
import json
import os
import re
import subprocess
import time

import pytest

from harness import Topology, gateway, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"
APP_FRONT, CLIENT = "198.18.3.1", "198.18.3.10"
APP_BACK = "198.18.4.1"
ORIGINS = {"o1": "198.18.4.10", "o2": "198.18.4.11", "o3": "198.18.4.12"}


HOSTS = (f"# test names\n{ORIGINS['o1']}  origin.test\n"
         f"{ORIGINS['o2']} pods.test\n{ORIGINS['o3']} pods.test\n")


def kong_yaml(hosts_file, extra_routes="", o3_weight=100):
    o1, o2, o3 = ORIGINS["o1"], ORIGINS["o2"], ORIGINS["o3"]
    return f"""  proxy:
    listen: [{{port: 80}}]
    dns_hostsfile: {hosts_file}
    dns_system_resolver: false
    dns_refresh_seconds: 1
services:
  - name: main
    host: pool.up
    routes:
      - {{name: main, paths: [/main], strip_path: true}}
{extra_routes}
  - name: named
    host: origin.test
    port: 8000
    routes:
      - {{name: named, paths: [/named], strip_path: true}}
  - name: nowhere
    host: nowhere.test
    port: 8000
    routes:
      - {{name: nowhere, paths: [/nowhere]}}
  - name: frail
    host: frail.up
    retries: 5
    routes:
      - {{name: frail, paths: [/frail], strip_path: true}}
  - name: users
    host: users.up
    routes:
      - {{name: users, paths: ["~/u/(?<user>[a-z]+)"], strip_path: false}}
  - name: pods
    host: pods.up
    routes:
      - {{name: pods, paths: [/pods], strip_path: true}}
upstreams:
  - name: pods.up
    targets:
      - {{target: "pods.test:8000"}}
  - name: pool.up
    targets:
      - {{target: "{o1}:8000"}}
      - {{target: "{o2}:8000"}}
      - {{target: "{o3}:8000", weight: {o3_weight}}}
  - name: frail.up
    healthchecks:
      passive:
        unhealthy: {{tcp_failures: 1}}
    targets:
      - {{target: "{o1}:8000"}}
      - {{target: "{o1}:8001"}}
  - name: users.up
    algorithm: consistent-hashing
    hash_on: uri_capture
    hash_on_uri_capture: user
    targets:
      - {{target: "{o1}:8000"}}
      - {{target: "{o2}:8000"}}
      - {{target: "{o3}:8000"}}
"""


class ReloadLab:
    def __init__(self, topo, app, client_ns, hosts_file):
        self.topo, self.app, self.client_ns = topo, app, client_ns
        self.hosts_file = hosts_file

    def config(self, **kw):
        return self.app.base_config + kong_yaml(self.hosts_file, **kw)

    def get(self, path):
        """(status, body) of one GET through the proxy."""
        r = self.topo.ns(self.client_ns, ["curl", "-sS", "--max-time", "10", "-o", "-",
                                          "-w", "\n%{http_code}", f"http://{APP_FRONT}{path}"],
                         check=False, timeout=20)
        assert r.returncode == 0, r.stderr
        body, _, status = r.stdout.rpartition("\n")
        return int(status), body

    def origin_of(self, path):
        status, body = self.get(path)
        assert status == 200, (status, body)
        return json.loads(body)["origin"]


@pytest.fixture(scope="module")
def lab():
    with Topology("rld") as topo:
        work = topo.tempdir("ravelin-reload-")
        hosts_file = os.path.join(work, "hosts")
        with open(hosts_file, "w") as f:
            f.write(HOSTS)
        app, client_ns, origin_ns = gateway(topo, CLIENT, APP_FRONT, APP_BACK,
                                            list(ORIGINS.values()), kong_yaml(hosts_file))
        for name, addr in ORIGINS.items():
            proc = topo.spawn(origin_ns, [PY, os.path.join(HERE, "http_origin.py"), addr, "8000",
                                          name], stdout=subprocess.PIPE, text=True)
            assert proc.stdout.readline().strip() == "listening"
        app.start()
        yield ReloadLab(topo, app, client_ns, hosts_file)
        assert app.stop() == 0, app.output


def test_reloads_under_load_drop_no_request(lab):
    before = lab.app.telemetry("/ravelin/config")
    assert lab.get("/added/echo")[0] == 404
    wrk = lab.topo.spawn(lab.client_ns, ["wrk", "-t2", "-c16", "-d6s", f"http://{APP_FRONT}/main/echo"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(1)
    added = '      - {name: added, paths: [/added], strip_path: true}'
    cfg = lab.app.reload(lab.config(extra_routes=added, o3_weight=0))
    assert cfg["generation"] == before["generation"] + 1, cfg
    assert lab.origin_of("/added/echo") in ("o1", "o2")
    # Weight 0 takes o3 out of the balance at once.
    assert {lab.origin_of("/main/echo") for _ in range(12)} == {"o1", "o2"}
    time.sleep(1)
    lab.app.reload(lab.config())
    assert lab.get("/added/echo")[0] == 404
    assert "o3" in {lab.origin_of("/main/echo") for _ in range(12)}
    out, _ = wrk.communicate(timeout=30)
    assert "requests in" in out, out
    assert "Non-2xx" not in out and "Socket errors" not in out, out
    stats = lab.app.stats()
    assert stats["proxy_reloads"] >= 2 and stats["proxy_status_502"] == 0, stats


def test_broken_config_is_refused_and_the_running_one_stays(lab):
    before = lab.app.telemetry("/ravelin/config")
    broken = lab.config().replace("strip_path: true}", "strip_path: yes-please}", 1)
    cfg = lab.app.reload(broken)
    assert cfg["reload_failures"] == before["reload_failures"] + 1
    assert cfg["generation"] == before["generation"], cfg
    line = next(i for i, text in enumerate(broken.splitlines(), 1) if "yes-please" in text)
    assert f"ravelin.yml:{line}:" in cfg["last_error"], cfg
    assert "reload refused, the running config stays" in lab.app.log()
    assert lab.get("/main/echo")[0] == 200
    cfg = lab.app.reload(lab.config())  # the file is good again
    assert cfg["reloads"] == before["reloads"] + 1 and cfg["restart_needed"] == 0


def test_a_changed_ravelin_section_waits_for_a_restart(lab):
    changed = lab.config().replace("dns_refresh_seconds: 1", "dns_refresh_seconds: 1\n"
                                   "    client_header_timeout_ms: 900")
    cfg = lab.app.reload(changed)
    assert cfg["restart_needed"] == 1, cfg
    assert "the ravelin: section changed" in lab.app.log()
    assert lab.get("/main/echo")[0] == 200  # the Kong entities were applied all the same
    assert lab.app.reload(lab.config())["restart_needed"] == 0


def test_target_health_survives_a_reload(lab):
    # frail.up's second target refuses connections: the first request that picks it is
    # retried on the first target and marks it down (passive tcp_failures: 1).
    def retries():
        return lab.app.stats()["proxy_retries"]
    start = retries()
    for _ in range(6):
        assert lab.get("/frail/echo")[0] == 200
    marked = retries()
    assert marked > start
    for _ in range(6):
        assert lab.get("/frail/echo")[0] == 200
    assert retries() == marked  # down: never picked again
    lab.app.reload(lab.config(extra_routes='      - {name: other, paths: [/other]}'))
    for _ in range(6):
        assert lab.get("/frail/echo")[0] == 200
    # A reload that had forgotten the health would have tried the dead target again.
    assert retries() == marked
    lab.app.reload(lab.config())


def test_service_host_name_follows_the_hosts_file(lab):
    assert lab.origin_of("/named/echo") == "o1"
    status, body = lab.get("/nowhere")
    assert status == 503 and "name resolution failed" in body, body
    before = lab.app.telemetry("/ravelin/config")["dns_changes"]
    with open(lab.hosts_file, "w") as f:
        f.write(HOSTS.replace(f"{ORIGINS['o1']}  origin.test", f"{ORIGINS['o2']} origin.test"))
    try:
        assert wait_for(lambda: lab.origin_of("/named/echo") == "o2", timeout=10)
        assert lab.app.telemetry("/ravelin/config")["dns_changes"] > before
    finally:
        with open(lab.hosts_file, "w") as f:
            f.write(HOSTS)
    assert wait_for(lambda: lab.origin_of("/named/echo") == "o1", timeout=10)


def test_a_target_name_is_balanced_over_its_addresses(lab):
    seen = []
    for _ in range(8):
        status, body = lab.get("/pods/echo")
        assert status == 200, body
        answer = json.loads(body)
        seen.append(answer["origin"])
        assert answer["headers"]["host"] == "pods.test:8000"  # the name, not the address
    assert sorted(set(seen)) == ["o2", "o3"] and seen.count("o2") == 4, seen
    targets = lab.app.telemetry("/ravelin/targets")
    assert f"pods_up/pods_test_8000_{ORIGINS['o2'].replace('.', '_')}" in targets, targets


def test_consistent_hashing_on_a_uri_capture(lab):
    for user in ("alice", "bob", "carol"):
        assert len({lab.origin_of(f"/u/{user}/x") for _ in range(4)}) == 1
    users = [f"user{chr(97 + i)}{chr(97 + (i * 7) % 26)}" for i in range(24)]
    assert len({lab.origin_of(f"/u/{u}/x") for u in users}) >= 2


def test_per_upstream_and_per_target_figures(lab):
    key = f"pool_up/{ORIGINS['o1'].replace('.', '_')}_8000"
    before = lab.app.telemetry(f"/ravelin/target,{key}")
    ups_before = lab.app.telemetry("/ravelin/upstream,pool_up")["requests"]
    origins = [lab.origin_of("/main/echo") for _ in range(9)]
    after = lab.app.telemetry(f"/ravelin/target,{key}")
    assert after["requests"] - before["requests"] == origins.count("o1"), (origins, after)
    assert after["2xx"] - before["2xx"] == origins.count("o1")
    assert sum(v for k, v in after.items() if k.startswith("latency_")) == after["requests"]
    assert lab.app.telemetry("/ravelin/upstream,pool_up")["requests"] == ups_before + 9
    targets = lab.app.telemetry("/ravelin/targets")
    assert key in targets and f"frail_up/{ORIGINS['o1'].replace('.', '_')}_8001" in targets


def test_a_waf_plugin_comes_and_goes_with_reloads(lab):
    attack = "/main/echo?id=1%27%20or%20%271%27%3D%271"
    assert lab.get(attack)[0] == 200
    audit = os.path.join(os.path.dirname(lab.hosts_file), "audit.log")
    with_waf = lab.config() + f"""plugins:
  - name: waf
    service: main
    config: {{audit_log: {audit}}}
"""
    before = lab.app.telemetry("/ravelin/config")
    cfg = lab.app.reload(with_waf, timeout=60)
    assert cfg["generation"] == before["generation"] + 1, cfg
    status, body = lab.get(attack)
    assert status == 403, body
    tid = json.loads(body)["transaction_id"]
    assert wait_for(lambda: os.path.exists(audit) and tid in open(audit).read(), timeout=5)
    assert lab.get("/main/echo?id=42")[0] == 200
    assert lab.get("/named/echo?id=1%27%20or%20%271%27%3D%271")[0] == 200  # another service
    lab.app.reload(lab.config())
    assert lab.get(attack)[0] == 200


WS_CLIENT = """import socket, sys, time
s = socket.create_connection((sys.argv[1], 80))
s.sendall(b"GET /main/ws HTTP/1.1\\r\\nHost: x\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n"
          b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n")
head = b""
while b"\\r\\n\\r\\n" not in head:
    head += s.recv(1024)
print(head.split(b"\\r\\n")[0].decode(), flush=True)
time.sleep(30)
"""


def test_an_open_websocket_does_not_hold_an_old_config(lab):
    ws = lab.topo.spawn(lab.client_ns, [PY, "-c", WS_CLIENT, APP_FRONT], stdout=subprocess.PIPE,
                        text=True)
    try:
        assert "101" in ws.stdout.readline()
        freed = lab.app.telemetry("/ravelin/config")["snapshots_freed"]
        lab.app.reload(lab.config(extra_routes='      - {name: w, paths: [/w]}'))
        # The tunnel's exchange was logged when it opened; the snapshot it was routed with
        # is freed while the tunnel stays up.
        assert wait_for(lambda: lab.app.telemetry("/ravelin/config")["snapshots_freed"] > freed)
        assert ws.poll() is None
    finally:
        ws.kill()
    lab.app.reload(lab.config())


def test_stop_under_load_writes_every_access_log_line():
    """The writers' last records name routes of snapshots the stop frees: they must drain
    first (a use-after-free otherwise, a crash at exit under load)."""
    with Topology("stp") as topo:
        log_path = os.path.join(topo.tempdir("ravelin-stop-"), "access.log")
        kong = f"""  proxy:
    listen: [{{port: 80}}]
    access_log: {log_path}
services:
  - {{name: one, host: {ORIGINS['o1']}, port: 8000, routes: [{{name: only, paths: [/]}}]}}
"""
        app, client_ns, origin_ns = gateway(topo, CLIENT, APP_FRONT, APP_BACK, [ORIGINS["o1"]],
                                            kong)
        origin = topo.spawn(origin_ns, [PY, os.path.join(HERE, "http_origin.py"), ORIGINS["o1"],
                                        "8000", "o1"], stdout=subprocess.PIPE, text=True)
        assert origin.stdout.readline().strip() == "listening"
        app.start()
        load = topo.spawn(client_ns, ["wrk", "-t1", "-c8", "-d10s", f"http://{APP_FRONT}/x"],
                          stdout=subprocess.DEVNULL)
        time.sleep(1.5)
        assert app.stop() == 0, app.output
        load.kill()
        with open(log_path) as f:
            lines = [json.loads(line) for line in f]
        responses = int(re.search(r"proxy_responses\s+(\d+)", app.output).group(1))
        assert len(lines) == responses > 100
        assert all(line["route"]["name"] == "only" for line in lines)
