#!/bin/sh
# run-openapi.sh -- docs/openapi.json is OpenAPI 3.0 JSON whose paths and
# methods are exactly those the server routes (server/route.c; "/" for the
# calculator's files), every $ref resolves, and docs/serve.md names every path.
: "${SRCDIR:?SRCDIR is not set}"
python3 - "$SRCDIR" <<'PY'
import json, re, sys
src = sys.argv[1]
doc = json.load(open(src + "/docs/openapi.json", encoding="utf-8"))
fail = []
if not doc.get("openapi", "").startswith("3.0."):
    fail.append("openapi is not 3.0.x: %r" % doc.get("openapi"))
routes = set(re.findall(r'\{ "(/[^"]*)", "([A-Z]+)", R_[A-Z_]+ \}', open(src + "/server/route.c").read()))
routes.add(("/", "GET"))
documented = {(p, m.upper()) for p, ops in doc["paths"].items() for m in ops if m in ("get", "post", "put", "delete", "options", "head", "patch")}
for r in sorted(routes - documented):
    fail.append("served, not in openapi.json: %s %s" % (r[1], r[0]))
for r in sorted(documented - routes):
    fail.append("in openapi.json, not served: %s %s" % (r[1], r[0]))
def refs(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "$ref":
                yield v
            else:
                yield from refs(v)
    elif isinstance(o, list):
        for v in o:
            yield from refs(v)
for r in refs(doc):
    node = doc
    for part in r.lstrip("#/").split("/"):
        node = node.get(part) if isinstance(node, dict) else None
    if node is None:
        fail.append("unresolved $ref " + r)
serve = open(src + "/docs/serve.md", encoding="utf-8").read()
for p, m in sorted(routes):
    if p != "/" and p not in serve:
        fail.append("docs/serve.md does not name " + p)
for f in fail:
    print("FAIL:", f)
print("openapi: %d paths, %d problems" % (len(documented), len(fail)))
sys.exit(1 if fail else 0)
PY
