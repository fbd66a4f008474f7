"""The waf plugin end to end: OWASP CRS 3.3.4 (Debian's modsecurity-crs, unmodified) loaded
by Ravelin's WAF in front of a Python origin; curl clients in their own namespace. A global
plugin blocks at paranoia 1; one route overrides it in detect mode, another removes the SQL
injection rules, three more inspect response bodies. What reached the origin is read back from it (/seen)."""
import json
import os
import re
import subprocess
import tempfile
import time

import pytest

from harness import Appliance, Topology, ravelin_binary, run, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"
FRONT, CLIENT, BACK, ORIGIN = "198.18.1.1", "198.18.1.10", "198.18.2.1", "198.18.2.10"
SQLI = "/app/search?q=1%27%20OR%20%271%27%3D%271%27%20--"


def response_route(name, audit, conf):
    return f"""      - name: {name}
        paths: [/{name}]
        plugins:
          - name: waf
            config:
              audit_log: {audit}
              rules: [{conf}, /etc/modsecurity/crs/crs-setup.conf,
                      /usr/share/modsecurity-crs/rules/*.conf]
"""


def kong_yaml(audit, audit_json, confs):
    return f"""  proxy:
    listen: [{{port: 80}}]
services:
  - name: app
    host: {ORIGIN}
    port: 8000
    routes:
      - {{name: app, paths: [/app]}}
      - name: detect
        paths: [/detect]
        plugins:
          - {{name: waf, config: {{mode: detect, audit_log: {audit}}}}}
{"".join(response_route(name, audit, conf) for name, conf in confs.items())}      - name: nosqli
        paths: [/nosqli]
        plugins:
          - name: waf
            config:
              audit_log: {audit}
              exclusions: {{tags: [attack-sqli]}}
plugins:
  - name: waf
    config:
      mode: block
      paranoia_level: 1
      anomaly_threshold: 5
      audit_log: {audit}
      audit_json_log: {audit_json}
"""


class WafLab:
    def __init__(self, topo, app, client_ns, audit, audit_json):
        self.topo, self.app, self.client_ns = topo, app, client_ns
        self.audit, self.audit_json = audit, audit_json

    def curl(self, *args):
        r = self.topo.ns(self.client_ns, ["curl", "-sS", "--max-time", "30", "-w",
                                          "\n%{http_code}"] + list(args), check=False, timeout=40)
        assert r.returncode == 0, r.stderr
        body, _, code = r.stdout.rpartition("\n")
        return int(code), body

    def seen(self):
        return json.loads(self.curl(f"http://{FRONT}/app/seen")[1])

    def audit_lines(self, pattern, path=None):
        def find():
            with open(path or self.audit) as f:
                return [line for line in f if re.search(pattern, line)]
        return wait_for(find, timeout=3)


@pytest.fixture(scope="module")
def lab():
    with Topology("waf") as topo:
        app_ns, client_ns, origin_ns = (topo.namespace(r) for r in ("app", "cli", "org"))
        front, _ = topo.link(app_ns, client_ns, addr_b=f"{CLIENT}/24")
        back, _ = topo.link(app_ns, origin_ns, addr_b=f"{ORIGIN}/24")
        work = topo.tempdir("ravelin-waf-")
        audit, audit_json = os.path.join(work, "audit.log"), os.path.join(work, "audit.json")
        # /out has ModSecurity's recommended response settings; /partial and /reject a
        # 1 KiB response body limit with each limit action.
        confs = {}
        for name, limit, action in (("out", 524288, "ProcessPartial"),
                                    ("partial", 1024, "ProcessPartial"),
                                    ("reject", 1024, "Reject")):
            confs[name] = os.path.join(work, f"{name}.conf")
            with open(confs[name], "w") as f:
                f.write("SecResponseBodyAccess On\nSecResponseBodyMimeType text/plain text/html text/xml\n"
                        f"SecResponseBodyLimit {limit}\nSecResponseBodyLimitAction {action}\n")
        app = Appliance(topo, app_ns, [
            {"name": "front", "iface": front, "address": f"{FRONT}/24", "index": 0},
            {"name": "back", "iface": back, "address": f"{BACK}/24", "index": 1},
        ], extra_yaml=kong_yaml(audit, audit_json, confs))
        origin = topo.spawn(origin_ns, [PY, os.path.join(HERE, "http_origin.py"), ORIGIN, "8000",
                                        "o1"], stdout=subprocess.PIPE, text=True)
        assert origin.stdout.readline().strip() == "listening"
        app.start(timeout=120)  # six CRS engines are compiled at start
        yield WafLab(topo, app, client_ns, audit, audit_json)
        assert app.stop() == 0, app.output


def test_ordinary_requests_pass(lab):
    before = lab.app.stats()["waf_inspected"]
    code, body = lab.curl("-H", "Accept: application/json", f"http://{FRONT}/app/items?page=2&sort=name")
    assert code == 200 and json.loads(body)["path"] == "/items?page=2&sort=name"
    code, body = lab.curl("-H", "Content-Type: application/json", "--data",
                          '{"name": "Ada Lovelace", "tags": ["math", "engines"], "age": 36}',
                          f"http://{FRONT}/app/users")
    assert code == 200
    assert lab.app.stats()["waf_inspected"] >= before + 2
    assert "/users" in lab.seen()  # strip_path: the route prefix is gone


def test_sqli_in_the_query_is_blocked_with_a_transaction_id(lab):
    code, body = lab.curl(f"http://{FRONT}{SQLI}")
    assert code == 403, body
    answer = json.loads(body)
    assert answer["status"] == 403 and answer["error"] == "request blocked"
    tid = answer["transaction_id"]
    # ModSecurity's error-log form, one line per matched rule, with the same id.
    lines = lab.audit_lines(re.escape(f'[unique_id "{tid}"]'))
    ids = {re.search(r'\[id "(\d+)"\]', line).group(1) for line in lines}
    assert "942100" in ids, lines  # libinjection-style SQLi detection
    assert any("Access denied with code 403" in line and '[id "949110"]' in line for line in lines)
    records = [json.loads(line) for line in lab.audit_lines(re.escape(tid), lab.audit_json)]
    assert any(r["rule_id"] == 949110 and r["disruptive"] for r in records), records
    assert all(r["uri"] == "/app/search" for r in records)


def test_attack_in_a_json_body_never_reaches_the_origin(lab):
    body = json.dumps({"comment": "<script>alert(document.cookie)</script>", "id": 7})
    code, answer = lab.curl("-H", "Content-Type: application/json", "--data", body,
                            f"http://{FRONT}/app/comments-xss")
    assert code == 403, answer
    assert "/comments-xss" not in lab.seen()


def test_attack_at_the_end_of_a_large_streamed_body_is_held_back(lab):
    # 2 MB of harmless form data streams to the origin as it arrives; the attack is in the
    # last field, so the verdict comes with the last bytes, which are never sent.
    filler = "a=" + "x" * 1000
    form = "&".join([filler] * 2000) + "&q=1' UNION SELECT password FROM users--"
    with tempfile.NamedTemporaryFile("w", dir="/tmp", delete=False) as f:
        f.write(form)
    try:
        code, _ = lab.curl("--data-binary", f"@{f.name}", f"http://{FRONT}/app/upload-sqli")
    finally:
        os.unlink(f.name)
    assert code == 403
    assert "/upload-sqli" not in lab.seen()
    # The same body without the attack arrives whole.
    with tempfile.NamedTemporaryFile("w", dir="/tmp", delete=False) as f:
        f.write("&".join([filler] * 2000))
    try:
        code, _ = lab.curl("--data-binary", f"@{f.name}", f"http://{FRONT}/app/upload-ok")
    finally:
        os.unlink(f.name)
    assert code == 200 and "/upload-ok" in lab.seen()


def test_detect_mode_route_logs_but_does_not_block(lab):
    code, body = lab.curl(f"http://{FRONT}/detect/search?q=1%27%20OR%20%271%27%3D%271%27%20--")
    assert code == 200, body
    lines = lab.audit_lines(r'\[id "942100"\].*\[uri "/detect/search"\]')
    assert lines and all(line.startswith("ModSecurity: Warning.") for line in lines)
    assert lab.app.stats()["waf_detected"] >= 1


def test_route_exclusions_remove_rules_by_tag(lab):
    code, _ = lab.curl(f"http://{FRONT}/nosqli/search?q=1%27%20OR%20%271%27%3D%271%27%20--")
    assert code == 200
    code, _ = lab.curl(f"http://{FRONT}/nosqli/page?file=../../../../etc/passwd")
    assert code == 403, "only the SQLi rules are excluded there"


def test_bad_waf_config_is_refused_with_file_and_line(tmp_path):
    rules = tmp_path / "local.conf"
    rules.write_text('SecRule ARGS "@rx a" "id:1,phase:2,pass"\nSecRule ARGS "@rx b" "phase:2,nonsense"\n')
    cfg = tmp_path / "kong.yml"
    cfg.write_text(f"""_format_version: "3.0"
plugins:
  - name: waf
    config:
      rules: [{rules}]
      paranoia_level: 7
""")
    r = run([ravelin_binary(), "--check-config", str(cfg)], check=False)
    assert r.returncode != 0
    assert f"{cfg}:6:" in r.stderr and "paranoia_level" in r.stderr, r.stderr
    cfg.write_text(cfg.read_text().replace("paranoia_level: 7", "paranoia_level: 2"))
    r = run([ravelin_binary(), "--check-config", str(cfg)], check=False)
    assert r.returncode != 0
    assert f"{rules}:2:" in r.stderr, r.stderr


def test_refused_upload_gets_its_answer_not_a_reset(lab):
    # Refused on its head (the query) while the client is still sending 8 MB: the answer
    # must arrive before the connection closes, not be lost to a reset (RFC 9112 §9.6).
    with tempfile.NamedTemporaryFile(dir="/tmp", delete=False) as f:
        f.write(b"x" * (8 << 20))
    try:
        for _ in range(3):
            code, body = lab.curl("--data-binary", f"@{f.name}", "-H",
                                  "Content-Type: application/octet-stream",
                                  f"http://{FRONT}{SQLI}")
            assert code == 403 and "transaction_id" in body
    finally:
        os.unlink(f.name)


def test_leaking_response_is_replaced_by_the_block_answer(lab):
    assert lab.curl(f"http://{FRONT}/out/page/plain")[0] == 200  # a pooled origin connection
    before = lab.app.stats()
    code, body = lab.curl(f"http://{FRONT}/out/page/sqlerror")
    assert code == 403, body
    assert "SQL syntax" not in body
    tid = json.loads(body)["transaction_id"]
    lines = lab.audit_lines(re.escape(f'[unique_id "{tid}"]'))
    ids = {re.search(r'\[id "(\d+)"\]', line).group(1) for line in lines}
    assert "951230" in ids, lines  # the MySQL error message (RESPONSE-951)
    assert any("Access denied with code 403" in line and '[id "959100"]' in line for line in lines)
    # Chunked, in 100-byte chunks, the leak is taken off its framing and caught the same way.
    code, body = lab.curl(f"http://{FRONT}/out/page/sqlerror?chunked=1")
    assert code == 403 and "SQL syntax" not in body, body
    # The same page on a route whose rules leave response bodies alone, a clean page, and
    # pages longer than waf_response_hold (216 KB against 128 KB, Content-Length or chunked)
    # whose leak lies past the first 128 KB, which phase 4 judges, all pass whole; so does a
    # HEAD.
    code, body = lab.curl(f"http://{FRONT}/app/page/sqlerror")
    assert code == 200 and "SQL syntax" in body
    code, body = lab.curl(f"http://{FRONT}/out/page/plain")
    assert code == 200 and body.endswith("</html>")
    code, body = lab.curl(f"http://{FRONT}/out/page/plain?chunked=1")
    assert code == 200 and body.endswith("</html>")
    code, body = lab.curl(f"http://{FRONT}/out/page/big-sqlerror")
    assert code == 200 and len(body) > 200000
    code, body = lab.curl(f"http://{FRONT}/out/page/big-sqlerror?chunked=1")
    assert code == 200 and len(body) > 200000 and body.endswith("</html>")
    code, body = lab.curl("-I", f"http://{FRONT}/out/page/sqlerror")
    assert code == 200
    after = lab.app.stats()
    assert after["waf_responses_blocked"] == before["waf_responses_blocked"] + 2
    assert after["waf_response_bodies"] == before["waf_response_bodies"] + 6
    assert after["waf_response_bodies_partial"] == before["waf_response_bodies_partial"] + 2
    assert after["waf_response_bodies_unread"] == before["waf_response_bodies_unread"]
    assert after["waf_responses_inspected"] >= before["waf_responses_inspected"] + 8
    # The refused pages were held whole: their origin connection served the requests after.
    assert after["proxy_upstream_connects"] == before["proxy_upstream_connects"]
    # A leak in the first 128 KB of a longer page is refused, as ProcessPartial refuses one
    # before SecResponseBodyLimit.
    for framing in ("", "?chunked=1"):
        code, body = lab.curl(f"http://{FRONT}/out/page/sqlerror-long{framing}")
        assert code == 403 and "SQL syntax" not in body, (framing, body[:200])
    last = lab.app.stats()
    assert last["waf_responses_blocked"] == after["waf_responses_blocked"] + 2
    assert last["waf_response_bodies_partial"] == after["waf_response_bodies_partial"] + 2
    assert last["waf_response_bodies_unread"] == after["waf_response_bodies_unread"]


def test_response_read_until_close_is_judged(lab):
    # RFC 9112 §6.3: no Content-Length, no chunks, the origin closes after the body. Held
    # until the close (or the first 128 KB of a longer one), then judged like any other.
    before = lab.app.stats()
    code, body = lab.curl(f"http://{FRONT}/out/page/sqlerror?close=1")
    assert code == 403 and "SQL syntax" not in body, body
    code, body = lab.curl(f"http://{FRONT}/out/page/sqlerror-long?close=1")
    assert code == 403 and "SQL syntax" not in body, body[:200]
    code, body = lab.curl(f"http://{FRONT}/out/page/plain?close=1")
    assert code == 200 and body.endswith("</html>"), body
    code, body = lab.curl(f"http://{FRONT}/out/page/big-sqlerror?close=1")
    assert code == 200 and len(body) > 200000 and body.endswith("</html>")
    after = lab.app.stats()
    assert after["waf_responses_blocked"] == before["waf_responses_blocked"] + 2
    assert after["waf_response_bodies"] == before["waf_response_bodies"] + 4
    assert after["waf_response_bodies_partial"] == before["waf_response_bodies_partial"] + 2
    assert after["waf_response_bodies_unread"] == before["waf_response_bodies_unread"]


def test_response_body_limit_actions(lab):
    """SecResponseBodyLimit 1 KiB: ProcessPartial inspects the first KiB of a longer body,
    Reject refuses any body past it; either way the proxy holds back no more than the KiB."""
    before = lab.app.stats()
    for framing in ("", "?chunked=1"):
        code, body = lab.curl(f"http://{FRONT}/partial/page/sqlerror-long{framing}")
        assert code == 403 and "SQL syntax" not in body, (framing, body)
        code, body = lab.curl(f"http://{FRONT}/partial/page/big-sqlerror{framing}")
        assert code == 200 and "SQL syntax" in body and body.endswith("</html>"), framing
        code, body = lab.curl(f"http://{FRONT}/reject/page/plain{framing}")
        assert code == 200 and body.endswith("</html>"), framing
        code, body = lab.curl(f"http://{FRONT}/reject/page/big-sqlerror{framing}")
        assert code == 403, (framing, body)
        assert json.loads(body)["transaction_id"]
    after = lab.app.stats()
    assert after["waf_responses_blocked"] == before["waf_responses_blocked"] + 4
    assert after["waf_response_bodies_unread"] == before["waf_response_bodies_unread"]
