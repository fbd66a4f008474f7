"""The ravelin command line: --version, --check-config, refusing bad configs and devices."""
import os
import re

from harness import ROOT, Appliance, Topology, ravelin_binary, run

BROKEN = """\
_format_version: "3.0"
services:
  - name: orders
    url: http://orders.internal:8080/v1
    retries: many
routes:
  - name: r1
    service: nosuch
    paths: [/orders]
ravelin:
  ports:
    - name: front
      device: net_af_packet0,iface=x
      address: 198.18.1.300/24
  cores:
    - {lcore: 1, roles: [io, dance]}
"""


def write_temp(tmp_path, text):
    path = tmp_path / "ravelin-cli.yml"
    path.write_text(text)
    return str(path)


def test_version():
    r = run([ravelin_binary(), "--version"])
    assert re.fullmatch(r"ravelin \d+\.\d+\.\d+\n", r.stdout)


def test_check_config_accepts_the_examples():
    for name in ("minimal.yml", "kong-full.yml"):
        path = os.path.join(ROOT, "mgmt", "examples", name)
        r = run([ravelin_binary(), "--check-config", path], check=False)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == f"{path}: ok"


def test_check_config_reports_every_error_with_position(tmp_path):
    path = write_temp(tmp_path, BROKEN)
    r = run([ravelin_binary(), "--check-config", path], check=False)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert all(re.match(re.escape(path) + r":\d+:\d+: \S", line) for line in lines), lines
    text = "\n".join(lines)
    assert f"{path}:5:14:" in text  # retries: many
    assert f"{path}:8:14:" in text  # service: nosuch
    assert f"{path}:14:16:" in text  # bad CIDR
    assert f"{path}:16:30:" in text  # unknown role
    assert len(lines) == 4, lines


def test_config_with_errors_does_not_start(tmp_path):
    path = write_temp(tmp_path, BROKEN)
    r = run([ravelin_binary(), "--config", path], check=False, timeout=10)
    assert r.returncode == 1
    assert "EAL" not in r.stdout
    assert f"{path}:8:14:" in r.stderr


def test_missing_device_is_a_clear_start_error():
    with Topology("dev") as topo:
        ns = topo.namespace("app")
        app = Appliance(topo, ns, [{"name": "front", "iface": "rv-nosuch",
                                    "address": "198.18.1.1/24"}])
        try:
            app.start(timeout=10)
            started = True
        except RuntimeError as e:
            started = False
            message = str(e)
        app.stop()
        assert not started
        assert "port front" in message
