"""Fixtures: an appliance namespace and a client namespace joined by one veth link."""
import os
import re
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Appliance, Topology  # noqa: E402

APP_ADDR = "198.18.1.1"
CLIENT_ADDR = "198.18.1.10"


class Lab:
    """What a test gets: the topology, the running appliance and the client side."""

    def __init__(self, topo, app, client_ns, client_if, app_mac):
        self.topo = topo
        self.app = app
        self.client_ns = client_ns
        self.client_if = client_if
        self.app_mac = app_mac

    def client(self, cmd, check=False, **kw):
        return self.topo.ns(self.client_ns, cmd, check=check, **kw)


@pytest.fixture
def lab(request):
    with Topology(request.node.name[5:8]) as topo:
        app_ns = topo.namespace("app")
        client_ns = topo.namespace("cli")
        app_if, client_if = topo.link(app_ns, client_ns, addr_b=f"{CLIENT_ADDR}/24")
        app = Appliance(topo, app_ns, [{"name": "front", "iface": app_if,
                                        "address": f"{APP_ADDR}/24"}]).start()
        mac = re.search(r"port front \(id \d+\) ([0-9a-f:]{17}) up", app.log()).group(1)
        yield Lab(topo, app, client_ns, client_if, mac)
        app.stop()
