"""Random HTTP/1.1 exchanges for the differential test: well-formed requests and responses
built from the grammar, then (often) broken by mutations aimed at framing, line endings,
field syntax and limits, or by random byte edits."""
import random

METHODS = [b"GET", b"GET", b"POST", b"PUT", b"HEAD", b"DELETE", b"OPTIONS", b"PATCH", b"PURGE",
           b"M-SEARCH", b"CONNECT", b"get"]
PATH_CHARS = b"abcxyzABC0123456789-._~%!$&'()*+,;=:@/?"
NAMES = [b"Accept", b"User-Agent", b"X-Request-Id", b"Cookie", b"accept-language", b"X-A",
         b"Cache-Control", b"If-None-Match", b"Via", b"x_under", b"~odd!#$"]
VALUE_BYTES = bytes(range(0x20, 0x7f)) + b"\t\x80\xa0\xe9\xff"
INTERESTING = b"\r\n\t :;,\"\\\x00\x7f\x80=0aF-"
STATUSES = [100, 101, 103, 200, 200, 201, 204, 206, 301, 304, 400, 404, 500, 503]


def rand_bytes(rng, alphabet, lo, hi):
    return bytes(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


def rand_value(rng):
    v = rand_bytes(rng, VALUE_BYTES, 0, 30)
    return rng.choice([b"", b" ", b"\t", b"  "]) + v + rng.choice([b"", b" ", b"\t "])


def rand_case(rng, s):
    return bytes(c ^ 0x20 if chr(c).isalpha() and rng.random() < 0.3 else c for c in s)


def chunked_body(rng, body):
    exts = [b"", b";a", b";a=b", b" ; name = \"q \\\" x\"", b";x=1;y", b"\t;\tk=v"]
    out, i = b"", 0
    while i < len(body):
        n = rng.randint(1, max(1, len(body) - i))
        size = rng.choice(["%x", "%X", "00%x"]) % n
        out += size.encode() + rng.choice(exts) + b"\r\n" + body[i:i + n] + b"\r\n"
        i += n
    out += rng.choice([b"0", b"000", b"0;last"]) + b"\r\n"
    for _ in range(rng.choice([0, 0, 1, 2])):
        out += rng.choice(NAMES) + b":" + rand_value(rng) + b"\r\n"
    return out + b"\r\n"


def framed(rng, fields, allow_until_close=False):
    """Adds framing fields; returns (fields, body bytes on the wire)."""
    body = rand_bytes(rng, bytes(range(256)), 0, 40)
    kind = rng.choice(["none", "length", "chunked"] + (["close"] if allow_until_close else []))
    if kind == "length":
        fields.append((rand_case(rng, b"Content-Length"), b"%d" % len(body)))
        return fields, body
    if kind == "chunked":
        fields.append((rand_case(rng, b"Transfer-Encoding"), rand_case(rng, b"chunked")))
        return fields, chunked_body(rng, body)
    return fields, body if kind == "close" else b""


def common_fields(rng):
    fields = [(rng.choice(NAMES), rand_value(rng)) for _ in range(rng.randint(0, 5))]
    r = rng.random()
    if r < 0.3:
        opts = rng.sample([b"keep-alive", b"close", b"Upgrade", b"x-hop", b""], rng.randint(1, 3))
        fields.append((b"Connection", b", ".join(rand_case(rng, o) for o in opts)))
    if rng.random() < 0.1:
        fields.append((b"Upgrade", b"websocket"))
    if rng.random() < 0.1:
        fields.append((b"Expect", rand_case(rng, b"100-continue")))
    return fields


def serialize(start, fields, body):
    return start + b"\r\n" + b"".join(n + b":" + v + b"\r\n" for n, v in fields) + b"\r\n" + body


def request(rng):
    method = rng.choice(METHODS)
    target = (b"h:443" if method == b"CONNECT" else
              rng.choice([b"/", b"*", b"http://h/x", b"/" + rand_bytes(rng, PATH_CHARS, 0, 30)]))
    version = rng.choice([b"HTTP/1.1"] * 6 + [b"HTTP/1.0", b"HTTP/1.2"])
    fields = common_fields(rng)
    if rng.random() < 0.95:
        fields.insert(rng.randint(0, len(fields)), (rand_case(rng, b"Host"),
                      rng.choice([b"example.com", b"h:8080", b"[::1]:80", b"", b"198.18.0.1"])))
    fields, body = framed(rng, fields)
    rng.shuffle(fields)
    return serialize(method + b" " + target + b" " + version, fields, body)


def response(rng, method, upgrade):
    status = rng.choice(STATUSES)
    if status == 101 and not upgrade and rng.random() < 0.8:
        status = 200
    version = rng.choice([b"HTTP/1.1"] * 5 + [b"HTTP/1.0"])
    reason = rng.choice([b" OK", b" Not Found", b"", b" ", b" r\xe9ason \t x"])
    fields = [(rng.choice(NAMES), rand_value(rng)) for _ in range(rng.randint(0, 4))]
    if rng.random() < 0.2:
        fields.append((b"Connection", rng.choice([b"close", b"keep-alive", b"upgrade"])))
    fields, body = framed(rng, fields, allow_until_close=True)
    if status < 200 or status in (204, 304) or method == "HEAD":
        body = b""
    start = version + b" %d" % status + reason
    return serialize(start, fields, body), status


# --- mutations --------------------------------------------------------------------------------
SMUGGLING_FIELDS = [
    b"Content-Length: 5", b"Content-Length: +3", b"Content-Length: 3, 3", b"Content-Length: 0x3",
    b"Content-Length: -1", b"Content-Length:", b"Content-Length: 99999999999999999999",
    b"Transfer-Encoding: chunked", b"Transfer-Encoding: gzip, chunked",
    b"Transfer-Encoding: chunked, gzip", b"Transfer-Encoding: identity",
    b"Transfer-Encoding: , chunked", b"Transfer-Encoding: chunked;q=1",
    b"Transfer-Encoding : chunked", b"Transfer-Encoding:\x0bchunked", b"Host: second",
    b"Host: a b", b"Connection: \"x\"", b" folded", b"\tfolded", b"X\x00Y: 1", b"X: a\x00b",
    b"Na me: v", b": empty", b"noColon", b"Expect: 100-continue", b"Upgrade: h2c",
]


def mutate(rng, msg):
    lines = msg.split(b"\r\n")
    op = rng.randrange(9)
    if op == 0:  # a field line that tests framing rules
        lines.insert(rng.randint(1, max(1, min(len(lines) - 1, 6))), rng.choice(SMUGGLING_FIELDS))
        return b"\r\n".join(lines)
    if op == 1:  # one line ending made bare
        i = rng.randrange(max(1, len(lines) - 1))
        return b"\r\n".join(lines[:i]) + (b"\r\n" if i else b"") + lines[i] + \
            rng.choice([b"\n", b"\r", b"\r\r\n", b"\n\r"]) + b"\r\n".join(lines[i + 1:])
    if op == 2:  # request-line / status-line variants
        lines[0] = rng.choice([lines[0].replace(b" ", b"  ", 1), lines[0].replace(b" ", b"\t", 1),
                               lines[0].replace(b"HTTP/1.", b"HTTP/2."),
                               lines[0].replace(b"HTTP", b"http"), lines[0] + b" ",
                               lines[0].replace(b"/", b"/\xe9", 1), lines[0][:-9],
                               lines[0].replace(b"HTTP/1.1", b"HTTP/1.10")])
        return b"\r\n".join(lines)
    if op == 3:  # truncation
        return msg[:rng.randrange(len(msg) + 1)]
    if op == 4:  # delete a byte
        i = rng.randrange(len(msg)) if msg else 0
        return msg[:i] + msg[i + 1:]
    if op == 5:  # insert an interesting byte
        i = rng.randrange(len(msg) + 1)
        return msg[:i] + bytes([rng.choice(INTERESTING)]) + msg[i:]
    if op == 6:  # flip a byte
        if not msg:
            return msg
        i = rng.randrange(len(msg))
        return msg[:i] + bytes([msg[i] ^ (1 << rng.randrange(8))]) + msg[i + 1:]
    if op == 7:  # a broken chunk size line
        return msg.replace(b"\r\n\r\n", rng.choice(
            [b"\r\n\r\n5 \r\n", b"\r\n\r\nx\r\n", b"\r\n\r\n1;=\r\n", b"\r\n\r\nfffffffffffffffff\r\n"]), 1)
    lines.insert(1, b"X-Big: " + b"v" * rng.randint(50, 400))  # op 8: a large field
    return b"\r\n".join(lines)


def limits(rng):
    if rng.random() < 0.7:
        return (8192, 16384, 100, 1024, 0)
    return (rng.randint(10, 200), rng.randint(30, 500), rng.randint(1, 10), rng.randint(1, 30),
            rng.choice([0, 0, rng.randint(1, 100)]))


def record(rng):
    """(role, methods, upgrade, cut seed, limits, message bytes)"""
    lim, seed = limits(rng), rng.randrange(1 << 30)
    if rng.random() < 0.5:
        msg = b"".join(request(rng) for _ in range(rng.choice([1, 1, 2, 3])))
        methods, upgrade, role = [], False, "request"
    else:
        upgrade = rng.random() < 0.2
        methods = [rng.choice(["GET", "GET", "HEAD", "CONNECT", "POST"]) for _ in range(rng.randint(1, 3))]
        msg = b""
        for m in methods:
            text, status = response(rng, m, upgrade)
            msg += text
            if status >= 200 and rng.random() < 0.2:
                msg += response(rng, m, upgrade)[0]  # sometimes more than was asked for
        role = "response"
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        msg = mutate(rng, msg)
    return role, methods, upgrade, seed, lim, msg
