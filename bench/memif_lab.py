"""Ravelin and ravelin-loadgen joined by net_memif, for the benchmarks: Ravelin is the memif
server on every link (one Unix socket per link under a private temporary directory), each
loadgen process the client. Ravelin runs on lcore 0, generators on lcore 1. No kernel
network, no addresses outside 198.18.0.0/15, nothing left behind: sockets, processes and
the EAL runtime directories are removed by close().

A trap in DPDK 22.11's memif PMD, not ours: when the peer goes away, the EAL interrupt
thread runs memif_disconnect(), which clears ETH_MEMIF_FLAG_CONNECTED and then unmaps the
shared rings (memif_free_regions) with nothing waiting for the lcore; an rx/tx burst that
passed the flag check a moment earlier then reads unmapped memory (SIGSEGV in
librte_net_memif's rx burst). Reproduced here with the packet blaster: a generator killed
by SIGKILL at full rate took Ravelin down on the 8th of 30 kills; stopped by SIGTERM (it
stops sending, drains, then closes its port, so Ravelin's burst is idle when the rings go)
it survived 30 of 30. So generators are always stopped by SIGTERM (close() below), and
tests/integration/test_linerate.py holds that line.

EAL flags as this machine needs them: --no-huge -m N --no-shconf --no-pci, a unique
--file-prefix per process. (Ravelin keeps its shared config, without --no-shconf, because
its telemetry socket lives in the runtime directory.)
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
from harness import Appliance  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("RAVELIN_BUILD", os.path.join(ROOT, "build", "release"))


def binary(name):
    # Beside $RAVELIN_BIN when set (ctest sets it; every binary goes to <build>/bin).
    bin_dir = (os.path.dirname(os.environ["RAVELIN_BIN"]) if "RAVELIN_BIN" in os.environ
               else os.path.join(BUILD, "bin"))
    path = os.path.join(bin_dir, name)
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{path} missing: ninja -C {BUILD} ravelin ravelin-loadgen kernel_echo")
    return path


def cpu_seconds(pid):
    """User + system CPU time of a process so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Lab:
    """One benchmark run's processes and memif sockets; a context manager."""

    def __init__(self, tag):
        self.tag = f"{tag}{os.getpid() % 100000}"
        self.dir = tempfile.mkdtemp(prefix=f"rv-{tag}-", dir="/tmp")
        self.procs = []
        self._links = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def link(self):
        """A new memif link: (server device spec for Ravelin, client spec for a loadgen)."""
        i = self._links
        self._links += 1
        sock = os.path.join(self.dir, f"memif{i}.sock")
        server = (f"net_memif{i},role=server,socket={sock},id=0,"
                  f"mac=02:52:56:00:{i:02x}:01,zero-copy=no")
        client = (f"net_memif{i},role=client,socket={sock},id=0,"
                  f"mac=02:4c:47:00:{i:02x}:02,zero-copy=no")
        return server, client

    def spawn(self, ns, cmd, **kw):
        """Starts a process; `ns` is unused (memif needs no namespace) and there for the
        harness' Appliance, which calls topo.spawn(ns, cmd)."""
        kw.setdefault("stdin", subprocess.DEVNULL)
        proc = subprocess.Popen(cmd, start_new_session=True, **kw)
        self.procs.append(proc)
        return proc

    def close(self):
        # Generators first: a memif client leaving while the server polls is the case that
        # crashed before; the server then stops by SIGTERM.
        for proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=10)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    try:
                        os.killpg(proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    proc.wait()
        self.procs = []
        shutil.rmtree(self.dir, ignore_errors=True)
        for prefix in (f"rvb{self.tag}", ) + tuple(f"lg{self.tag}{i}" for i in range(8)):
            shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)


class Ravelin(Appliance):
    """ravelin on lcore 0 with one memif server port per link; start(), stats() and stop()
    are the integration harness's."""

    def __init__(self, lab, ports, extra_yaml="", kong_yaml=""):
        """ports: list of (device, "A.B.C.D/len") or (device, "A.B.C.D/len", gateway)."""
        self.topo = lab
        self.ns = None
        self.prefix = f"rvb{lab.tag}"
        self.workdir = lab.dir
        self.config_path = os.path.join(lab.dir, "ravelin.yml")
        self.log_path = os.path.join(lab.dir, "ravelin.log")
        self.proc = None
        self.output = ""
        eal = ["--no-huge", "-m", "512", "--no-pci", f"--file-prefix={self.prefix}",
               "--log-level=*:notice"]
        lines = ['_format_version: "3.0"'] + ([kong_yaml.rstrip()] if kong_yaml else []) + [
            "ravelin:", f"  eal: {json.dumps(eal)}", "  ports:"]
        for i, (device, address, *gateway) in enumerate(ports):
            lines += [f"    - name: p{i}", f"      device: \"{device}\"",
                      f"      address: {address}"] + [f"      gateway: {g}" for g in gateway]
        lines += ["  cores:", "    - {lcore: 0, roles: [io]}"]
        with open(self.config_path, "w") as f:
            f.write("\n".join(lines) + "\n" + extra_yaml)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None


def loadgen(lab, devices, args, index=0, memory=512, timeout=None, progress=None, lcore=1):
    """Runs ravelin-loadgen on `lcore` (1) with the given memif client devices and loadgen
    arguments; returns its JSON report (dict). `progress`: a file for its stderr lines."""
    eal = ["-l", str(lcore), "--no-huge", "-m", str(memory), "--no-shconf", "--no-pci",
           f"--file-prefix=lg{lab.tag}{index}", "--log-level=*:warning", "--no-telemetry"]
    eal += [f"--vdev={d}" for d in devices]
    proc = lab.spawn(None, [binary("ravelin-loadgen")] + eal + ["--"] + [str(a) for a in args],
                     stdout=subprocess.PIPE, stderr=progress or subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"loadgen exited with {proc.returncode}: {err or 'see its stderr'}")
    return json.loads(out)


def start_loadgen(lab, devices, args, index=0, memory=512, lcore=1):
    """Starts ravelin-loadgen in the background (an origin); returns the Popen. It prints
    "loadgen: ready" on stderr once its links are up. Two poll-mode processes on one core
    time-slice: give a second generator the other lcore."""
    eal = ["-l", str(lcore), "--no-huge", "-m", str(memory), "--no-shconf", "--no-pci",
           f"--file-prefix=lg{lab.tag}{index}", "--log-level=*:warning", "--no-telemetry"]
    eal += [f"--vdev={d}" for d in devices]
    return lab.spawn(None, [binary("ravelin-loadgen")] + eal + ["--"] + [str(a) for a in args],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
