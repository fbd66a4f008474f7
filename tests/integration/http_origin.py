"""A small HTTP/1.1 origin for the proxy tests, standard library only. Bound to one address
given on the command line; prints "listening" once ready.

  GET  /echo...        JSON: origin name, method, path, request headers
  GET  /bytes/N        N pseudo-random bytes (seeded by N), Content-Length framing
  GET  /chunked/N      the same bytes, chunked transfer coding (RFC 9112 §7.1)
  POST /sha256         sha256 and length of the body (Content-Length or chunked)
  GET  /slow/MS        waits MS milliseconds, then answers
  GET  /page/NAME      a text/html page: "plain", "sqlerror" (a MySQL error leaking into the
                       page), "big-sqlerror" (the same after 200 KB) or "sqlerror-long" (the
                       error, then 200 KB); ?chunked=1 frames it in chunks of 100 bytes,
                       ?close=1 by closing the connection after it (no length, no chunks)
  GET  /ws             WebSocket (RFC 6455) echo of text and binary frames
  GET  /seen           JSON list of the paths of POST/PUT requests received whole
"""
import base64
import hashlib
import json
import random
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NAME = sys.argv[3] if len(sys.argv) > 3 else "origin"
SEEN = []  # paths of bodies received whole, for tests that check what reached the origin
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
SQL_ERROR = (b"<p>You have an error in your SQL syntax; check the manual that corresponds to your "
             b"MySQL server version for the right syntax to use near '1' at line 1</p>")
PAGES = {
    "plain": b"<html><body><h1>Orders</h1><p>Nothing to see here.</p></body></html>",
    "sqlerror": b"<html><body><h1>Orders</h1>" + SQL_ERROR + b"</body></html>",
    "big-sqlerror": b"<html><body>" + b"<p>filler text</p>" * 12000 + SQL_ERROR + b"</body></html>",
    "sqlerror-long": b"<html><body>" + SQL_ERROR + b"<p>filler text</p>" * 12000 + b"</body></html>",
}


def payload(n):
    return random.Random(n).randbytes(n)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Head and body leave in separate writes; with Nagle the body would wait for the ACK
    # of the head (nginx and most origins set TCP_NODELAY on keep-alive connections too).
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def send_body(self, status, body, ctype="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Origin", NAME)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        h = hashlib.sha256()
        size = 0
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                n = int(self.rfile.readline().split(b";")[0], 16)
                if n == 0:
                    while self.rfile.readline() not in (b"\r\n", b""):
                        pass
                    break
                left = n
                while left:
                    data = self.rfile.read(min(left, 1 << 20))
                    h.update(data)
                    left -= len(data)
                size += n
                self.rfile.readline()
        else:
            left = int(self.headers.get("Content-Length", "0"))
            while left:
                data = self.rfile.read(min(left, 1 << 20))
                if not data:
                    break
                h.update(data)
                size += len(data)
                left -= len(data)
        return h.hexdigest(), size

    def do_GET(self):
        parts = self.path.split("?")[0].split("/")
        if parts[1:2] == ["bytes"]:
            self.send_body(200, payload(int(parts[2])), "application/octet-stream")
        elif parts[1:2] == ["chunked"]:
            data = payload(int(parts[2]))
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("X-Origin", NAME)
            self.end_headers()
            for i in range(0, len(data), 65536):
                piece = data[i:i + 65536]
                self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif parts[1:2] == ["slow"]:
            time.sleep(int(parts[2]) / 1000)
            self.send_body(200, b'{"slow":true}')
        elif parts[1:2] == ["page"]:
            self.page(PAGES[parts[2]], "chunked=1" in self.path, "close=1" in self.path)
        elif parts[1:2] == ["ws"]:
            self.websocket()
        elif parts[1:2] == ["seen"]:
            self.send_body(200, json.dumps(SEEN).encode())
        else:
            self.echo()

    do_HEAD = do_GET

    def page(self, body, chunked, until_close=False):
        if until_close:  # RFC 9112 §6.3: the body ends where the connection does
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
            return
        if not chunked:
            self.send_body(200, body, "text/html; charset=utf-8")
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        # Many small chunks, one with an extension, so that chunk lines fall across segments.
        chunks = [b"%x\r\n" % len(body[i:i + 100]) + body[i:i + 100] + b"\r\n"
                  for i in range(0, len(body), 100)]
        chunks[0] = chunks[0].replace(b"\r\n", b";page=1\r\n", 1)
        self.wfile.write(b"".join(chunks) + b"0\r\n\r\n")

    def do_POST(self):
        digest, size = self.read_body()
        SEEN.append(self.path)
        if self.path.startswith("/sha256"):
            self.send_body(200, json.dumps({"sha256": digest, "size": size,
                                            "origin": NAME}).encode())
        else:
            self.echo()

    do_PUT = do_POST

    def do_DELETE(self):
        self.echo()

    def echo(self):
        body = json.dumps({"origin": NAME, "method": self.command, "path": self.path,
                           "headers": {k.lower(): v for k, v in self.headers.items()}})
        self.send_body(200, body.encode())

    def websocket(self):
        key = self.headers["Sec-WebSocket-Key"]
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        f = self.rfile
        while True:
            head = f.read(2)
            if len(head) < 2:
                break
            opcode = head[0] & 0x0F
            n = head[1] & 0x7F
            if n == 126:
                n = int.from_bytes(f.read(2), "big")
            elif n == 127:
                n = int.from_bytes(f.read(8), "big")
            mask = f.read(4)
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(f.read(n)))
            if opcode == 8:
                self.wfile.write(bytes([0x88, 0]))
                break
            out = bytes([0x80 | opcode])
            if len(data) < 126:
                out += bytes([len(data)])
            elif len(data) < 65536:
                out += bytes([126]) + len(data).to_bytes(2, "big")
            else:
                out += bytes([127]) + len(data).to_bytes(8, "big")
            self.wfile.write(out + data)
            self.wfile.flush()
        self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # listen backlog: the default 5 drops SYNs under a burst


if __name__ == "__main__":
    server = Server((sys.argv[1], int(sys.argv[2])), Handler)
    server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    print("listening", flush=True)
    server.serve_forever()
