#!/usr/bin/python3
"""Runs OWASP CRS regression tests (the CRS 3.3 'ftw' YAML format, tests/conformance/crs)
against a live WAF endpoint whose rule log it can read: the project's own copy of the
semantics of ../shared/tools/ftw_run.py, so CI does not depend on ../shared.

The WAF must write, for every rule that matches, a log line holding `id "RULEID"`
(ModSecurity's error-log form; Ravelin's waf audit_log has the same form). Each stage's
request is sent raw on a new connection, the write side is shut down (SHUT_WR) and the answer
read until EOF; then, after `settle` seconds, the log bytes written since the stage started
are searched with the stage's log_contains / no_log_contains regexes, and status,
response_contains and expect_error are checked. A test passes when all its stages pass.

  ftw.py --host H --port P --log FILE [--list FILES.txt | YAML... | --dir DIR]
         [--settle S] [--late L] [--timeout T] [--json OUT] [--quiet]

--late L (default 0: ftw_run.py's behaviour) lets a log_contains pattern that is not in the
log after `settle` still count if it shows up within L more seconds: for a WAF whose log
writer is asynchronous. Such stages are counted (late_stages) so the lag stays visible.

prints one line per failed test and a closing line 'N passed, M failed', as ftw_run.py does;
--json writes {passed, failed, failures: [{file, title, why}], seconds, slow_stages,
late_stages}.
"""
import argparse
import base64
import glob
import json
import os
import re
import socket
import sys
import time
from urllib.parse import parse_qsl, unquote, urlencode

import yaml

CRLF = "\r\n"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.join(HERE, "crs")


def build_request(inp):
    """The bytes ftw sends for one stage's input (same quirks as ftw_run.py: raw_request is
    unicode-unescaped; a urlencoded body that is not already encoded is re-encoded; a
    Content-Type and Content-Length are added unless stop_magic)."""
    if inp.get("encoded_request"):
        return base64.b64decode(inp["encoded_request"])
    if inp.get("raw_request") is not None:
        raw = inp["raw_request"]
        if isinstance(raw, list):
            raw = "".join(raw)
        return raw.encode("utf-8").decode("unicode_escape").encode("latin-1", "replace")
    headers = dict(inp.get("headers") or {})
    data = inp.get("data", "")
    if data is None:
        data = ""
    if isinstance(data, list):
        data = CRLF.join(str(d) for d in data)
    data = str(data)
    stop_magic = bool(inp.get("stop_magic", False))
    if data != "":
        if "Content-Type" not in headers and not stop_magic:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if headers.get("Content-Type") == "application/x-www-form-urlencoded" and not stop_magic:
            if unquote(data) == data:
                qs = parse_qsl(data)
                if qs:
                    data = urlencode(qs)
        if "Content-Length" not in headers and not stop_magic:
            headers["Content-Length"] = len(data)
    method = str(inp.get("method", "GET"))
    uri = str(inp.get("uri", "/"))
    version = str(inp.get("version", "HTTP/1.1"))
    req = method + " " + uri + " " + version + CRLF
    for k, v in headers.items():
        req += str(k) + ": " + str(v) + CRLF
    req += CRLF + data
    return req.encode("utf-8", "surrogateescape")


def send(host, port, payload, timeout):
    """Sends, half-closes, reads until EOF. A read timeout ends the read (no error), as in
    ftw_run.py; `timed_out` says whether it happened (the endpoint did not close)."""
    s = socket.create_connection((host, port), timeout=timeout)
    timed_out = False
    try:
        s.sendall(payload)
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except socket.timeout:
                timed_out = True
                break
            if not b:
                break
            chunks.append(b)
        return b"".join(chunks), timed_out
    finally:
        s.close()


def status_of(resp):
    m = re.match(rb"HTTP/\d(?:\.\d)? (\d{3})", resp)
    return int(m.group(1)) if m else None


def read_from(path, offset):
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""


def log_size(path):
    try:
        return os.path.getsize(path)
    except FileNotFoundError:
        return 0


class Runner:
    def __init__(self, host, port, log, timeout=3.0, settle=0.02, late=0.0):
        self.host, self.port, self.log = host, port, log
        self.timeout, self.settle, self.late = timeout, settle, late
        self.slow_stages = 0  # stages whose answer ended by read timeout, not by EOF
        self.late_stages = 0  # stages whose log_contains line came after `settle`

    def run_stage(self, stage):
        inp = stage.get("input", {}) or {}
        out = stage.get("output", {}) or {}
        off = log_size(self.log)
        err = None
        resp = b""
        try:
            resp, timed_out = send(self.host, self.port, build_request(inp), self.timeout)
            self.slow_stages += timed_out
        except Exception as e:  # connection refused/reset counts as an error
            err = e
        time.sleep(self.settle)
        lines = read_from(self.log, off)
        want = out.get("log_contains")
        if want and self.late > 0 and not re.search(want, lines):
            deadline = time.monotonic() + self.late
            while time.monotonic() < deadline and not re.search(want, lines):
                time.sleep(0.005)
                lines = read_from(self.log, off)
            self.late_stages += bool(re.search(want, lines))
        if out.get("expect_error"):
            return err is not None or resp == b"", "expected an error"
        why = []
        if "log_contains" in out and not re.search(out["log_contains"], lines):
            why.append("log lacks %s" % out["log_contains"])
        if "no_log_contains" in out and re.search(out["no_log_contains"], lines):
            why.append("log has %s" % out["no_log_contains"])
        if "status" in out:
            want = out["status"] if isinstance(out["status"], list) else [out["status"]]
            got = status_of(resp)
            if got not in want:
                why.append("status %s not in %s" % (got, want))
        if "response_contains" in out and not re.search(out["response_contains"].encode(), resp):
            why.append("response lacks %s" % out["response_contains"])
        if err is not None and not why and ("status" in out or "response_contains" in out):
            why.append("error %s" % err)
        return not why, "; ".join(why)

    def run_files(self, files, on_fail=None):
        """Returns {passed, failed, failures: [{file, title, why}]}."""
        passed = failed = 0
        failures = []
        for path in files:
            with open(path, "rb") as f:
                doc = yaml.safe_load(f)
            for t in doc.get("tests", []) or []:
                ok_all, whys = True, []
                for st in t.get("stages", []) or []:
                    ok, why = self.run_stage(st.get("stage", st))
                    if not ok:
                        ok_all = False
                        whys.append(why)
                if ok_all:
                    passed += 1
                    continue
                failed += 1
                failure = {"file": os.path.relpath(path, HERE) if path.startswith(HERE) else path,
                           "title": t.get("test_title", "?"), "why": " | ".join(whys)}
                failures.append(failure)
                if on_fail:
                    on_fail(failure)
        return {"passed": passed, "failed": failed, "failures": failures}


def rule_of(title):
    """'942100-3' -> '942100'."""
    return title.split("-")[0]


def suite_files(directory=DEFAULT_DIR):
    return sorted(glob.glob(os.path.join(directory, "*", "*.yaml")))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--list", help="file with one YAML path a line")
    ap.add_argument("--dir", help="run every */*.yaml under DIR (default: tests/conformance/crs "
                                  "when no file is named)")
    ap.add_argument("--timeout", type=float, default=3.0)
    ap.add_argument("--settle", type=float, default=0.02)
    ap.add_argument("--late", type=float, default=0.0)
    ap.add_argument("--json", help="write the result as JSON to this file")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    files = list(a.files)
    if a.list:
        with open(a.list) as f:
            files += [line.strip() for line in f if line.strip()]
    if a.dir or not files:
        files += suite_files(a.dir or DEFAULT_DIR)
    runner = Runner(a.host, a.port, a.log, a.timeout, a.settle, a.late)
    start = time.monotonic()
    on_fail = None if a.quiet else (
        lambda f: print(("FAIL %s: %s" % (f["title"], f["why"]))[:300], flush=True))
    result = runner.run_files(files, on_fail)
    result["seconds"] = round(time.monotonic() - start, 1)
    result["slow_stages"] = runner.slow_stages
    result["late_stages"] = runner.late_stages
    print("%d passed, %d failed" % (result["passed"], result["failed"]))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
