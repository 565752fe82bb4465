#!/usr/bin/env python3
"""compare_results.py NAME=RESULTS.db NAME=RESULTS.db ... -- the same decisions?

Each RESULTS.db is either huimin's results database (its `decisions` view,
the latest run) or a database with a table
  decisions(entity_kind, entity_id, policy, status, amount_fen[, claim])
as bench/sql/run_sql.py and the C floor write (claim: a hospital bill's
number in its person's list, from 1; NULL or absent for other decisions).  Only eligible and
undetermined decisions are compared (an entity and policy with no such
decision is not eligible; huimin's not-eligible rows, where it keeps them,
are left out).

Prints, per policy, how many eligible and undetermined decisions each result
has and the total amount (yuan); then compares every result with the first,
decision by decision (entity, policy: status and amount), and lists the
first differences.  Exit status 0 when everything agrees, 1 otherwise, 2 on
usage or an unreadable database.
"""
import sqlite3
import sys


def yuan(fen):
    if fen is None:
        return "-"
    return "%s%d.%02d" % ("-" if fen < 0 else "", abs(fen) // 100, abs(fen) % 100)


def load(db, i, path):
    """Result i into temp table r<i>(entity_kind, entity_id, policy, status, amount_fen)."""
    db.execute("ATTACH DATABASE ? AS s%d" % i, ("file:%s?mode=ro" % path,))
    tables = {r[0] for r in db.execute("SELECT name FROM s%d.sqlite_schema" % i)}
    if "decisions" not in tables:
        raise sqlite3.DatabaseError("%s has no table or view `decisions`" % path)
    where = "status IN ('eligible', 'undetermined')"
    if "runs" in tables:        # huimin's: its latest run
        where += " AND run_id = (SELECT max(run_id) FROM s%d.runs)" % i
    # a claim (one hospital bill's settlement) is its person's, numbered
    # from 1 in the person's list; 0 for every other decision
    has_claim = any(r[1] == "claim" for r in db.execute("PRAGMA s%d.table_info(decisions)" % i))
    db.execute("CREATE TEMP TABLE r%d AS SELECT entity_kind, CAST(entity_id AS TEXT) AS entity_id, policy, "
               "%s AS claim, status, amount_fen FROM s%d.decisions WHERE %s"
               % (i, "coalesce(claim, 0)" if has_claim else "0", i, where))
    db.execute("CREATE INDEX temp.r%d_key ON r%d (entity_kind, entity_id, policy, claim)" % (i, i))


def main():
    args = sys.argv[1:]
    if len(args) < 2 or any("=" not in a for a in args):
        print(__doc__.strip().split("\n")[0], file=sys.stderr)
        sys.exit(2)
    names = [a.split("=", 1)[0] for a in args]
    db = sqlite3.connect(":memory:")
    try:
        for i, a in enumerate(args):
            load(db, i, a.split("=", 1)[1])
    except sqlite3.DatabaseError as e:
        print("compare_results: %s" % e, file=sys.stderr)
        sys.exit(2)
    counts = []
    for i in range(len(args)):
        c = {}
        for policy, status, n, amount in db.execute(
                "SELECT policy, status, count(*), sum(amount_fen) FROM r%d GROUP BY policy, status" % i):
            c.setdefault(policy, {})[status] = (n, amount)
        counts.append(c)
    policies = sorted(set().union(*counts))
    ok = True
    print("%-15s %-7s %9s %13s %18s" % ("policy", "", "eligible", "undetermined", "total amount"))
    for p in policies:
        rows = []
        for c in counts:
            c = c.get(p, {})
            e, u = c.get("eligible", (0, None)), c.get("undetermined", (0, None))
            amounts = [v for v in (e[1], u[1]) if v is not None]
            rows.append((e[0], u[0], sum(amounts) if amounts else None))
        same = all(r == rows[0] for r in rows)
        ok &= same
        for k, (name, r) in enumerate(zip(names, rows)):
            print("%-15s %-7s %9d %13d %18s%s" % (p if k == 0 else "", name, r[0], r[1], yuan(r[2]),
                                                  "   <- differs" if not same and r != rows[0] else ""))
    # decision by decision, each against the first
    n0 = db.execute("SELECT count(*) FROM r0").fetchone()[0]
    for i in range(1, len(args)):
        diff = db.execute(
            "SELECT a.entity_kind, a.entity_id, a.policy, a.claim, a.status, a.amount_fen, b.status, b.amount_fen "
            "FROM r0 a LEFT JOIN r{i} b USING (entity_kind, entity_id, policy, claim) "
            "WHERE b.status IS NOT a.status OR b.amount_fen IS NOT a.amount_fen "
            "UNION ALL "
            "SELECT b.entity_kind, b.entity_id, b.policy, b.claim, NULL, NULL, b.status, b.amount_fen "
            "FROM r{i} b LEFT JOIN r0 a USING (entity_kind, entity_id, policy, claim) WHERE a.status IS NULL "
            "ORDER BY 1, 2, 3, 4".format(i=i)).fetchall()
        if diff:
            ok = False
            print("%s and %s: %d decisions differ (eligible or undetermined: %s %d, %s %d)"
                  % (names[0], names[i], len(diff), names[0], n0, names[i],
                     db.execute("SELECT count(*) FROM r%d" % i).fetchone()[0]))
            for kind, eid, policy, claim, s0, a0, s1, a1 in diff[:10]:
                print("  %s %s %s%s: %s %s %s, %s %s %s"
                      % (kind, eid, policy, " claim %d" % claim if claim else "", names[0], s0 or "not_eligible", yuan(a0),
                         names[i], s1 or "not_eligible", yuan(a1)))
        else:
            print("%s and %s: all %d eligible and undetermined decisions agree, entity by entity"
                  % (names[0], names[i], n0))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
