#!/usr/bin/python3
"""Sends raw HTTP/1.1 requests, one connection each, and reports the answers: run inside the
client namespace by the conformance tests. Reads a JSON list of base64 requests on stdin,
writes a JSON list of {status, headers, body} (body as text, undecodable bytes replaced;
status null when no answer came) on stdout.

  rawclient.py HOST PORT [TIMEOUT]

Unlike ftw.py this reads one framed answer (Content-Length, chunked, or until close) and
does not depend on the server closing after a half-close.
"""
import base64
import json
import socket
import sys


def read_answer(s, head_only):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            return buf, None
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    fields = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        fields[k.strip().lower()] = v.strip()
    status = int(lines[0].split()[1])
    if head_only or status in (204, 304) or 100 <= status < 200:
        return b"", (status, fields)
    if "chunked" in fields.get("transfer-encoding", "").lower():
        body = b""
        while True:
            while b"\r\n" not in rest:
                chunk = s.recv(65536)
                if not chunk:
                    return body, (status, fields)
                rest += chunk
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0], 16)
            while len(rest) < size + 2:
                chunk = s.recv(65536)
                if not chunk:
                    break
                rest += chunk
            if size == 0:
                return body, (status, fields)
            body += rest[:size]
            rest = rest[size + 2:]
    if "content-length" in fields:
        want = int(fields["content-length"])
        while len(rest) < want:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
        return rest[:want], (status, fields)
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return rest, (status, fields)
        rest += chunk


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 5.0
    out = []
    for raw in json.load(sys.stdin):
        req = base64.b64decode(raw)
        entry = {"status": None, "headers": {}, "body": ""}
        try:
            with socket.create_connection((host, port), timeout=timeout) as s:
                s.sendall(req)
                body, head = read_answer(s, req.startswith(b"HEAD "))
                if head:
                    entry = {"status": head[0], "headers": head[1],
                             "body": body.decode("utf-8", "replace")}
        except OSError as e:
            entry["error"] = str(e)
        out.append(entry)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
