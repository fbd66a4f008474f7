#!/usr/bin/python3
"""Converts the vendored CRS 3.3.4 ftw YAML tests (tests/conformance/crs) into the cases file
that crs_regression_test.cpp reads, one request stage a line:
  title <TAB> base64(raw request) <TAB> log_contains <TAB> no_log_contains <TAB> status
with tests/conformance/ftw.py's build_request, so the bytes are those the end-to-end runner
sends. Run by the build (tests/waf/CMakeLists.txt): crs_cases.py OUT.tsv
"""
import base64
import glob
import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "conformance"))
import ftw  # noqa: E402


def main():
    n = 0
    with open(sys.argv[1] + ".tmp", "w") as out:
        out.write("# OWASP CRS 3.3.4 regression tests (Apache-2.0, (c) the OWASP CRS project), converted\n")
        out.write("# from their ftw YAML: title, base64 raw request, log_contains, no_log_contains, status.\n")
        for path in sorted(glob.glob(os.path.join(ftw.DEFAULT_DIR, "*", "*.yaml"))):
            with open(path, "rb") as f:
                doc = yaml.safe_load(f)
            for t in doc.get("tests", []) or []:
                stages = t.get("stages", []) or []
                for i, st in enumerate(stages):
                    st = st.get("stage", st)
                    inp = st.get("input", {}) or {}
                    o = st.get("output", {}) or {}
                    if o.get("expect_error"):
                        continue
                    raw = ftw.build_request(inp)
                    status = o.get("status", "")
                    if isinstance(status, list):
                        status = ",".join(str(x) for x in status)
                    title = t.get("test_title", "?") + ("" if len(stages) == 1 else "#%d" % i)
                    out.write("\t".join([title, base64.b64encode(raw).decode(),
                                         o.get("log_contains", "") or "",
                                         o.get("no_log_contains", "") or "", str(status)]) + "\n")
                    n += 1
    os.replace(sys.argv[1] + ".tmp", sys.argv[1])
    print(n, "stages")


if __name__ == "__main__":
    main()
