#!/usr/bin/python3
# Regenerate: /usr/bin/python3 convert.py crs-3.3.4-regression.tsv  (needs ../shared and PyYAML)
# Converts the CRS 3.3.4 ftw YAML tests into one line per stage:
#   title <TAB> base64(raw request) <TAB> log_contains <TAB> no_log_contains <TAB> status
# using ftw_run.py's own build_request, so bytes are what the end-to-end runner sends.
import sys, glob, os, base64, importlib.util
spec = importlib.util.spec_from_file_location("ftw", "/work/shared/tools/ftw_run.py")
ftw = importlib.util.module_from_spec(spec); spec.loader.exec_module(ftw)
import yaml
out = open(sys.argv[1], "w")
out.write("# OWASP CRS 3.3.4 regression tests (Apache-2.0, (c) the OWASP CRS project), converted\n")
out.write("# from their ftw YAML: title, base64 raw request, log_contains, no_log_contains, status.\n")
n = 0
for path in sorted(glob.glob("/work/shared/crs-3.3.4-tests/*/*.yaml")):
    doc = yaml.safe_load(open(path, "rb"))
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
            if isinstance(status, list): status = ",".join(str(x) for x in status)
            title = t.get("test_title", "?") + ("" if len(stages) == 1 else "#%d" % i)
            out.write("\t".join([title, base64.b64encode(raw).decode(), o.get("log_contains", "") or "",
                                 o.get("no_log_contains", "") or "", str(status)]) + "\n")
            n += 1
print(n, "stages")
