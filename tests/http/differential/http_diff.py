#!/usr/bin/python3
"""Differential test of the C++ HTTP parser (through http_parse_cli) against
reference_parser.py on generated exchanges, and of both against Python's own http.client
and http.server on the well-formed ones they accept.

  http_diff.py --cli build/http/tests/http/http_parse_cli [--count 4000] [--seed 1]
"""
import argparse
import http.client
import http.server
import io
import json
import random
import subprocess
import sys

import generate
import reference_parser


def cli_input(records):
    out = bytearray()
    for role, methods, upgrade, seed, lim, msg in records:
        header = "%s %s %d %d %d %d %d %d %d %d\n" % (
            role, ",".join(methods) or "-", upgrade, seed, *lim, len(msg))
        out += header.encode() + msg
    return bytes(out)


def expected(rec):
    role, methods, upgrade, _, lim, msg = rec
    limits = reference_parser.Limits(*lim)
    return reference_parser.parse(msg, limits, methods if role == "response" else None, upgrade)


class _Sock:
    def __init__(self, data):
        self.file = io.BytesIO(data)

    def makefile(self, *args, **kwargs):
        return self.file


def stdlib_disagrees(rec, got):
    """Python's http.client / http.server on a lone well-formed exchange both parsers
    accepted; returns a complaint or None, and whether the check applied."""
    role, methods, _, _, _, msg = rec
    if got["end"] != "closed" or len(got["messages"]) != 1 or got["tunnel"]:
        return None, False
    m = got["messages"][0]
    if role == "response":
        te = [v for n, v in m["fields"] if n.lower() == "transfer-encoding"]
        if m["framing"] in ("none", "tunnel") or methods[0] != "GET" or (te and te[0].lower() != "chunked"):
            return None, False
        r = http.client.HTTPResponse(_Sock(msg), method="GET")
        try:
            r.begin()
            body = r.read().decode("latin-1")
        except http.client.HTTPException as e:
            return "http.client: %r" % e, True
        if (r.status, body) != (m["status"], m["body"]):
            return "http.client: %r %r" % (r.status, body), True
        return None, True
    handler = http.server.BaseHTTPRequestHandler.__new__(http.server.BaseHTTPRequestHandler)
    line_end = msg.index(b"\r\n") + 2
    handler.raw_requestline, handler.rfile = msg[:line_end], io.BytesIO(msg[line_end:])
    handler.request_version = handler.default_request_version
    handler.send_error = lambda *a, **k: None
    if not handler.parse_request():
        return "http.server refused it", True
    theirs = (handler.command, handler.path,
              [[n, v.strip(" \t")] for n, v in handler.headers.items()])
    target = m["target"]
    if target.startswith("//"):  # http.server folds these (an open-redirect guard)
        target = "/" + target.lstrip("/")
    ours = (m["method"], target, m["fields"])
    if theirs != ours and not any("\x80" <= c for f in m["fields"] for c in f[1]):
        return "http.server: %r" % (theirs,), True
    return None, True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--count", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", type=int, default=5, help="mismatches to print")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    records = [generate.record(rng) for _ in range(args.count)]
    run = subprocess.run([args.cli], input=cli_input(records), capture_output=True, check=True)
    outputs = run.stdout.decode().splitlines()
    if len(outputs) != len(records):
        print("http_parse_cli answered %d of %d records" % (len(outputs), len(records)))
        return 1

    mismatches, accepted, stdlib_checked, stdlib_bad = 0, 0, 0, 0
    for rec, line in zip(records, outputs):
        got = json.loads(line)
        error_name = got.pop("error")
        want = expected(rec)
        accepted += got["end"] == "closed"
        if got != want:
            mismatches += 1
            if mismatches <= args.show:
                print("MISMATCH %s methods=%s upgrade=%s limits=%s (C++ error %s)\n  input %r\n"
                      "  c++  %s\n  ref  %s" % (rec[0], rec[1], rec[2], rec[4], error_name,
                                                rec[5], json.dumps(got), json.dumps(want)))
            continue
        complaint, checked = stdlib_disagrees(rec, got)
        stdlib_checked += checked
        if complaint:
            stdlib_bad += 1
            if stdlib_bad <= args.show:
                print("STDLIB %s\n  input %r\n  ours %s" % (complaint, rec[5], json.dumps(got)))
    print("%d records (%d accepted whole), %d mismatches; %d cross-checked with the stdlib, "
          "%d disagreements" % (len(records), accepted, mismatches, stdlib_checked, stdlib_bad))
    return 1 if mismatches or stdlib_bad else 0


if __name__ == "__main__":
    sys.exit(main())
