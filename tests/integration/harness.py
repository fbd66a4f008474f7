"""Integration harness: network namespaces joined by veth pairs with 198.18.0.0/15
addresses, Ravelin started on net_af_packet inside its own namespace, real kernel clients
in others. Everything created is removed on exit, also when a test fails or is interrupted.

Network rule: traffic goes only to addresses inside namespaces this harness creates; no
namespace gets a default route.
"""
import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ravelin_binary():
    path = os.environ.get("RAVELIN_BIN", os.path.join(ROOT, "build", "release", "bin", "ravelin"))
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"ravelin binary not found at {path}; build first or set RAVELIN_BIN")
    return path


def run(cmd, check=True, **kw):
    """Runs a command (list), returns CompletedProcess with text output."""
    return subprocess.run(cmd, check=check, text=True, capture_output=True, **kw)


class Topology:
    """Namespaces, veth links and scratch directories of one test; a context manager that
    always removes the namespaces, and the directories too unless the block failed (they
    hold the appliance's log and config for a look afterwards)."""

    def __init__(self, tag):
        # Short unique names: interface names are limited to 15 characters.
        self.id = f"{os.getpid() % 100000}{tag[:3]}"
        self.namespaces = []
        self.processes = []
        self.dirs = []
        self._links = 0
        atexit.register(self.close)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        self.close()
        if exc_type is None:
            for d in self.dirs:
                shutil.rmtree(d, ignore_errors=True)
        else:
            print(f"kept for inspection: {' '.join(self.dirs)}", file=sys.stderr)
        self.dirs = []
        return False

    def tempdir(self, prefix):
        """A scratch directory removed with the topology."""
        d = tempfile.mkdtemp(prefix=prefix)
        self.dirs.append(d)
        return d

    def namespace(self, role):
        name = f"rv{self.id}-{role}"
        run(["ip", "netns", "add", name])
        self.namespaces.append(name)
        self.ns(name, ["ip", "link", "set", "lo", "up"])
        return name

    def ns(self, name, cmd, check=True, **kw):
        return run(["ip", "netns", "exec", name] + cmd, check=check, **kw)

    def link(self, ns_a, ns_b, addr_b=None, ifname_a=None, ifname_b=None):
        """A veth pair between two namespaces. The b side is a kernel host with `addr_b`
        (CIDR); the a side carries no kernel address: the appliance owns it through
        af_packet. Returns (ifname_a, ifname_b)."""
        self._links += 1
        a = ifname_a or f"rva{self.id}{self._links}"[:15]
        b = ifname_b or f"rvb{self.id}{self._links}"[:15]
        run(["ip", "link", "add", a, "netns", ns_a, "type", "veth", "peer", "name", b,
             "netns", ns_b])
        for ns, ifname in ((ns_a, a), (ns_b, b)):
            # No IPv6 chatter (router solicitations, DAD) on test links.
            self.ns(ns, ["sysctl", "-qw", f"net.ipv6.conf.{ifname}.disable_ipv6=1"])
            # Full checksums from the kernel side: the appliance verifies them.
            self.ns(ns, ["ethtool", "-K", ifname, "tx", "off"])
            self.ns(ns, ["ip", "link", "set", ifname, "up"])
        if addr_b:
            self.ns(ns_b, ["ip", "addr", "add", addr_b, "dev", b])
        return a, b

    def spawn(self, ns, cmd, **kw):
        proc = subprocess.Popen(["ip", "netns", "exec", ns] + cmd, stdin=subprocess.DEVNULL,
                                start_new_session=True, **kw)
        self.processes.append(proc)
        return proc

    def close(self):
        for proc in self.processes:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
        self.processes = []
        for name in self.namespaces:
            # Kill anything left inside, then remove (the veths go with the namespace).
            pids = run(["ip", "netns", "pids", name], check=False).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            run(["ip", "netns", "del", name], check=False)
        self.namespaces = []


class Appliance:
    """One ravelin process inside a namespace, with its config and telemetry socket."""

    def __init__(self, topo, ns, ports, extra_yaml="", lcore=1, eal_extra=(), lcores=None):
        self.topo = topo
        self.ns = ns
        self.prefix = f"rvtest{topo.id}"
        self.workdir = topo.tempdir("ravelin-it-")
        self.log_path = os.path.join(self.workdir, "ravelin.log")
        self.config_path = os.path.join(self.workdir, "ravelin.yml")
        eal = ["--no-huge", "-m", "256", "--no-pci", f"--file-prefix={self.prefix}",
               "--log-level=*:notice"] + list(eal_extra)
        self.base_config = render_config(ports, eal, lcores or [lcore])
        with open(self.config_path, "w") as f:
            f.write(self.base_config + extra_yaml)
        self.proc = None
        self.output = ""

    def start(self, timeout=20):
        self._log = open(self.log_path, "w")
        self.proc = self.topo.spawn(self.ns, [ravelin_binary(), "--config", self.config_path],
                                    stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log()
            if "ravelin: ready" in text:
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"ravelin exited with {self.proc.returncode}:\n{text}")
            time.sleep(0.05)
        raise RuntimeError(f"ravelin not ready after {timeout}s:\n{self.log()}")

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def telemetry(self, command):
        """Sends one command on the DPDK telemetry socket and returns the decoded reply."""
        path = f"/var/run/dpdk/{self.prefix}/dpdk_telemetry.v2"
        with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
            s.connect(path)
            json.loads(s.recv(16384).decode())  # the greeting
            s.send(command.encode())
            reply = json.loads(s.recv(65536).decode())
        return reply[command.split(",")[0]]

    def stats(self):
        return self.telemetry("/ravelin/stats")

    def reload(self, config_text=None, timeout=30):
        """Rewrites the config file (when given), sends SIGHUP and waits until the appliance
        has applied or refused it; returns /ravelin/config afterwards."""
        before = self.telemetry("/ravelin/config")
        seen = before["reloads"] + before["reload_failures"]
        if config_text is not None:
            with open(self.config_path, "w") as f:
                f.write(config_text)
        os.killpg(self.proc.pid, signal.SIGHUP)

        def answered():
            now = self.telemetry("/ravelin/config")
            return now if now["reloads"] + now["reload_failures"] > seen else None

        after = wait_for(answered, timeout=timeout)
        assert after, f"no reload within {timeout}s:\n{self.log()}"
        return after

    def stop(self, timeout=15):
        """SIGTERM, then waits; returns the exit code. The output stays in self.output."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            rc = self.proc.wait()
        self._log.close()
        self.output = self.log()
        return rc


def gateway(topo, client_addr, front_addr, back_addr, origin_addrs, extra_yaml):
    """An appliance between a client namespace (front link) and an origin namespace holding
    every address of `origin_addrs` (back link), all /24. Returns (app, client_ns,
    origin_ns); the appliance is not started."""
    app_ns = topo.namespace("app")
    client_ns = topo.namespace("cli")
    origin_ns = topo.namespace("org")
    front, _ = topo.link(app_ns, client_ns, addr_b=f"{client_addr}/24")
    back, back_b = topo.link(app_ns, origin_ns, addr_b=f"{origin_addrs[0]}/24")
    for addr in origin_addrs[1:]:
        topo.ns(origin_ns, ["ip", "addr", "add", f"{addr}/24", "dev", back_b])
    app = Appliance(topo, app_ns, [
        {"name": "front", "iface": front, "address": f"{front_addr}/24", "index": 0},
        {"name": "back", "iface": back, "address": f"{back_addr}/24", "index": 1},
    ], extra_yaml=extra_yaml)
    return app, client_ns, origin_ns


def render_config(ports, eal, lcores):
    """ports: list of dicts {name, iface, address, gateway?, index?, queues?}; every lcore
    gets the io role, and the port's queues are spread over them."""
    lines = ['_format_version: "3.0"', "ravelin:", f"  eal: {json.dumps(eal)}", "  ports:"]
    for p in ports:
        queues = p.get("queues", 1)
        qpairs = f",qpairs={queues}" if queues > 1 else ""
        lines += [f"    - name: {p['name']}",
                  f"      device: \"net_af_packet{p.get('index', 0)},iface={p['iface']}{qpairs}\"",
                  f"      address: {p['address']}",
                  f"      queues: {queues}"]
        if p.get("gateway"):
            lines.append(f"      gateway: {p['gateway']}")
    lines += ["  cores:"] + [f"    - {{lcore: {c}, roles: [io]}}" for c in lcores] + [""]
    return "\n".join(lines)


def wait_for(predicate, timeout=5.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()
