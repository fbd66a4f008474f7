"""A second HTTP/1.1 parser for the differential test, written from the ABNF of RFC 9112 and
RFC 9110 with regular expressions over the whole input (the C++ parser is an incremental state
machine). It takes the same decisions on what to accept and reports the same fields, so the
two can be compared message by message. Whatever it cannot parse it reports as an error with
the status a client would be answered."""
import re

# RFC 9110 §5.6.2, §5.5, §5.6.4
TOKEN = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
TOKEN_RE = re.compile(TOKEN)
CTL_RE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
REQUEST_LINE_RE = re.compile(rb"(" + TOKEN + rb") ([\x21-\x7e]+) HTTP/([0-9])\.([0-9])")
STATUS_LINE_RE = re.compile(rb"(.{8}) (...)(?: (.*))?", re.S)
VERSION_RE = re.compile(rb"HTTP/([0-9])\.([0-9])")
STATUS_RE = re.compile(rb"[1-5][0-9][0-9]")
FIELD_LINE_RE = re.compile(rb"(" + TOKEN + rb"):[ \t]*(.*?)[ \t]*", re.S)
HOST_RE = re.compile(rb"[A-Za-z0-9\-._~%!$&'()*+,;=:\[\]]*")
CONTENT_LENGTH_RE = re.compile(rb"[0-9]{1,18}")
# RFC 9112 §7.1.1: chunk-size [ chunk-ext ], chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS val ] )
QUOTED = rb'"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"'
CHUNK_EXT = rb"(?:[ \t]*;[ \t]*" + TOKEN + rb"(?:[ \t]*=[ \t]*(?:" + TOKEN + rb"|" + QUOTED + rb"))?)*"
CHUNK_LINE_RE = re.compile(rb"([0-9A-Fa-f]+)" + CHUNK_EXT)


class Refused(Exception):
    def __init__(self, status, why):
        super().__init__(why)
        self.status = status


class Limits:
    def __init__(self, start_line=8192, head=16384, fields=100, chunk_line=1024, body=0):
        self.start_line, self.head, self.fields = start_line, head, fields
        self.chunk_line, self.body = chunk_line, body


def elements(value):
    """RFC 9110 §5.6.1 #list elements, OWS trimmed, empty ones kept."""
    return [e.strip(b" \t") for e in value.split(b",")]


def text(b):
    return b.decode("latin-1")


class Parser:
    def __init__(self, data, limits, response_to=None, upgrade=False):
        self.data, self.pos, self.limits = data, 0, limits
        self.response = response_to is not None
        self.requests = list(response_to or [])
        self.upgrade_requested = upgrade
        self.messages, self.tunnel = [], b""

    # --- lines (RFC 9112 §2.2) -------------------------------------------------------------
    def line(self, budget, start_line):
        """The next line without CRLF; `budget` is the most content bytes it may have. Only
        the first budget+1 bytes are looked at, as the incremental parser does."""
        rest = self.data[self.pos:]
        if not rest:
            raise Refused(400, "truncated")
        window = rest[:budget + 1] if budget >= 0 else b""
        ctl = CTL_RE.search(window)
        if ctl is None:
            if budget >= 0 and len(window) <= budget:
                raise Refused(400, "truncated")
            start_bound = start_line and self.limits.start_line <= budget
            raise Refused(414 if start_bound else 431, "line over its limit")
        i = ctl.start()
        if rest[i:i + 1] == b"\n":
            raise Refused(400, "bare LF")
        if rest[i:i + 1] != b"\r":
            raise Refused(400, "control byte")
        if i + 1 == len(rest):
            raise Refused(400, "truncated")
        if rest[i + 1:i + 2] != b"\n":
            raise Refused(400, "bare CR")
        self.pos += i + 2
        return rest[:i]

    def field_section(self, fields_out, on_field, size=0):
        """Field lines up to the empty line; `size` bytes of the section came before."""
        count = 0
        while True:
            line = self.line(self.limits.head - size - 2, False)
            size += len(line) + 2
            if not line:
                return
            if line[:1] in (b" ", b"\t"):
                raise Refused(400, "obs-fold")
            m = FIELD_LINE_RE.fullmatch(line)
            if m is None:
                raise Refused(400, "bad field line")
            if count >= self.limits.fields:
                raise Refused(431, "too many fields")
            count += 1
            fields_out.append((m.group(1), m.group(2)))
            if on_field:
                on_field(m.group(1).lower(), m.group(2))

    # --- messages ----------------------------------------------------------------------------
    def run(self):
        try:
            while self.message():
                pass
            return "closed", 0
        except Refused as r:
            return "error", r.status

    def message(self):
        """Parses one message; False when no further message may follow."""
        size = 0
        while True:  # start line, after any empty lines a server ignores
            if self.pos == len(self.data):
                return False
            if self.response and not self.requests:
                raise Refused(400, "unsolicited response")
            budget = min(self.limits.head - size - 2, self.limits.start_line)
            line = self.line(budget, True)
            size += len(line) + 2
            if line or self.response:
                break
        head = self.start_line(line)
        facts = {"host": 0, "cl": None, "te": None, "close": False, "keep-alive": False,
                 "upgrade": False, "upgrade_field": False, "expect": False}
        self.field_section(head["fields_raw"], lambda n, v: self.note(facts, n, v), size)
        framing = self.decide_response(head, facts) if self.response else self.decide_request(head, facts)
        msg = self.render(head, framing)
        self.messages.append(msg)
        return self.body(msg, framing, head)

    def start_line(self, line):
        if self.response:
            m = STATUS_LINE_RE.fullmatch(line)
            v = VERSION_RE.fullmatch(m.group(1)) if m else None
            if v is None:
                raise Refused(400, "bad status line")
            if v.group(1) != b"1":
                raise Refused(505, "HTTP major version")
            if not STATUS_RE.fullmatch(m.group(2)):
                raise Refused(400, "bad status code")
            return {"method": b"", "target": b"", "status": int(m.group(2)),
                    "reason": m.group(3) or b"", "minor": int(v.group(2)), "fields_raw": []}
        m = REQUEST_LINE_RE.fullmatch(line)
        if m is None:
            raise Refused(400, "bad request line")
        if m.group(3) != b"1":
            raise Refused(505, "HTTP major version")
        return {"method": m.group(1), "target": m.group(2), "status": 0, "reason": b"",
                "minor": int(m.group(4)), "fields_raw": []}

    def note(self, facts, name, value):
        if name == b"host" and not self.response:
            facts["host"] += 1
            if facts["host"] > 1 or not HOST_RE.fullmatch(value):
                raise Refused(400, "Host")
        elif name == b"expect":
            facts["expect"] |= value.lower() == b"100-continue"
        elif name == b"upgrade":
            facts["upgrade_field"] = True
        elif name == b"connection":
            for opt in elements(value):
                if opt and not TOKEN_RE.fullmatch(opt):
                    raise Refused(400, "Connection")
                for known in (b"close", b"keep-alive", b"upgrade"):
                    facts[known.decode()] |= opt.lower() == known
        elif name == b"content-length":
            if facts["cl"] is not None or not CONTENT_LENGTH_RE.fullmatch(value):
                raise Refused(400, "Content-Length")
            facts["cl"] = int(value)
        elif name == b"transfer-encoding":
            facts["te"] = (facts["te"] or []) + elements(value)

    def te_kind(self, codings):
        """'chunked' (only chunked), 'other' (codings then chunked) or 'bad'."""
        if any(not TOKEN_RE.fullmatch(c) for c in codings):
            return "bad"
        lowered = [c.lower() for c in codings]
        if lowered[-1] != b"chunked" or lowered.count(b"chunked") != 1:
            return "bad"
        return "chunked" if len(lowered) == 1 else "other"

    def decide_request(self, head, f):
        http11 = head["minor"] >= 1
        if http11 and f["host"] == 0:
            raise Refused(400, "no Host")
        framing = "none"
        if f["te"] is not None:
            if not http11 or f["cl"] is not None:
                raise Refused(400, "Transfer-Encoding with 1.0 or Content-Length")
            kind = self.te_kind(f["te"])
            if kind != "chunked":
                raise Refused(400 if kind == "bad" else 501, "Transfer-Encoding")
            framing = "chunked"
        elif f["cl"] is not None:
            framing = "length"
            if self.limits.body and f["cl"] > self.limits.body:
                raise Refused(413, "body")
        head["keep_alive"] = not f["close"] and (http11 or f["keep-alive"])
        head["expect_continue"] = http11 and f["expect"]
        head["upgrade"] = http11 and f["upgrade"] and f["upgrade_field"]
        head["content_length"] = f["cl"] or 0
        return framing

    def decide_response(self, head, f):
        http11, status = head["minor"] >= 1, head["status"]
        method = self.requests[0]
        head["keep_alive"] = not f["close"] and (http11 or f["keep-alive"])
        head["expect_continue"], head["upgrade"] = False, False
        head["content_length"] = f["cl"] or 0
        if status == 101:
            if not self.upgrade_requested:
                raise Refused(400, "unasked 101")
            head["upgrade"] = True
            return "tunnel"
        if method == "CONNECT" and 200 <= status < 300:
            return "tunnel"
        if method == "HEAD" or status < 200 or status in (204, 304):
            return "none"
        if f["te"] is not None:
            if not http11 or f["cl"] is not None or self.te_kind(f["te"]) == "bad":
                raise Refused(400, "Transfer-Encoding")
            return "chunked"
        if f["cl"] is not None:
            if self.limits.body and f["cl"] > self.limits.body:
                raise Refused(413, "body")
            return "length"
        head["keep_alive"] = False
        return "until_close"

    def render(self, head, framing):
        return {"status": head["status"], "version": head["minor"], "framing": framing,
                "content_length": head["content_length"], "keep_alive": head["keep_alive"],
                "expect_continue": head["expect_continue"], "upgrade": head["upgrade"],
                "method": text(head["method"]), "target": text(head["target"]),
                "reason": text(head["reason"]),
                "fields": [[text(n), text(v)] for n, v in head["fields_raw"]],
                "body": "", "trailers": [], "done": False}

    # --- bodies (RFC 9112 §6, §7) --------------------------------------------------------------
    def take_body(self, msg, n):
        got = self.data[self.pos:self.pos + n]
        self.pos += len(got)
        msg["body"] += text(got)
        if len(got) < n:
            raise Refused(400, "truncated body")

    def chunks(self, msg):
        total = 0
        while True:
            rest = self.data[self.pos:]
            cr = rest.find(b"\r")
            line = rest[:cr] if cr >= 0 else rest
            if b"\n" in line or len(line) > self.limits.chunk_line or cr < 0:
                raise Refused(400, "chunk line")
            m = CHUNK_LINE_RE.fullmatch(line)
            if m is None or rest[cr + 1:cr + 2] != b"\n" or int(m.group(1), 16) >= 1 << 64:
                raise Refused(400, "chunk line")
            self.pos += cr + 2
            size = int(m.group(1), 16)
            if size == 0:
                break
            total += size
            if self.limits.body and total > self.limits.body:
                raise Refused(413, "body")
            self.take_body(msg, size)
            if self.data[self.pos:self.pos + 2] != b"\r\n":
                raise Refused(400, "chunk end")
            self.pos += 2
        trailers = []
        self.field_section(trailers, None)
        msg["trailers"] = [[text(n), text(v)] for n, v in trailers]

    def body(self, msg, framing, head):
        if framing == "length":
            self.take_body(msg, head["content_length"])
        elif framing == "chunked":
            self.chunks(msg)
        elif framing == "until_close":
            self.take_body(msg, len(self.data) - self.pos)
        msg["done"] = True
        if self.response:
            if framing == "tunnel":
                self.tunnel, self.pos = self.data[self.pos:], len(self.data)
                return False
            if head["status"] < 200:
                return True
            self.requests.pop(0)
        elif head["upgrade"] or head["method"] == b"CONNECT":
            self.tunnel, self.pos = self.data[self.pos:], len(self.data)
            return False
        return head["keep_alive"]


def parse(data, limits, response_to=None, upgrade=False):
    """The same JSON shape as http_parse_cli prints (without error names)."""
    p = Parser(data, limits, response_to, upgrade)
    end, status = p.run()
    return {"messages": p.messages, "tunnel": text(p.tunnel), "end": end, "status": status}
