"""Options of the conformance suite.

  --peer modsecurity        also run the same files, from the same client namespace, against
                            nginx + ModSecurity 3 + the same CRS (the README's reference), and
                            the benign corpus against it at paranoia 1
  --ftw-reference PATH      also run PATH (../shared/tools/ftw_run.py) on each endpoint and
                            require the same failing tests as tests/conformance/ftw.py
"""


def pytest_addoption(parser):
    parser.addoption("--peer", action="append", default=[], choices=["modsecurity"],
                     help="also run the suites against this peer WAF, in the same run")
    parser.addoption("--ftw-reference", default=None,
                     help="ftw_run.py to compare tests/conformance/ftw.py with")
