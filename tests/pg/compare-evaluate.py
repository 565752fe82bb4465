#!/usr/bin/env python3
"""compare-evaluate.py GIVEN.json EVALUATE.json -- the decisions of
`huimin run --given F --format json` (GIVEN) against huimin.evaluate's rows
for the same household (EVALUATE: a JSON array of its rows, in order).
Prints each difference; exits 1 when there is one."""
import json
import sys
from decimal import Decimal

given = json.load(open(sys.argv[1], encoding="utf-8"))["decisions"]
rows = json.load(open(sys.argv[2], encoding="utf-8")) or []
bad = []
if len(given) != len(rows):
    bad.append(f"{len(given)} decisions from huimin run, {len(rows)} rows from huimin.evaluate")
for i, (g, r) in enumerate(zip(given, rows)):
    member = g.get("member")
    want = {
        "policy": g["policy"],
        "entity": g["entity"],
        "member": None if member is None else member - 1,
        "status": g["status"],
        "amount_fen": None if g["amount"] is None else int(Decimal(g["amount"]) * 100),
        "period": g["period"] if g["amount"] is not None else None,
        "reason": g["reason"],
    }
    got = {k: r[k] for k in want}
    if got != want:
        bad.append(f"decision {i}: huimin run {want}, huimin.evaluate {got}")
    if g["status"] == "undetermined" and (g["reason"] or "").startswith("missing: "):
        # the message says why a fact is missing ("person.deceased (stale)")
        names = [n.split(" (")[0] for n in g["reason"][len("missing: "):].split(", ")]
        if r["missing"] != names:
            bad.append(f"decision {i}: missing {names} but {r['missing']}")
for b in bad[:10]:
    print(b)
sys.exit(1 if bad else 0)
