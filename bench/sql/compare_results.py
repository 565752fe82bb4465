#!/usr/bin/env python3
"""compare_results.py HUIMIN_RESULTS.db SQL_RESULTS.db -- the same decisions?

Prints, per policy, how many eligible, not eligible and undetermined
decisions each side made and the total amount (yuan), from huimin's last run
(`decisions` of the latest run_id) and from sql_decisions; then compares them
decision by decision (entity, policy: status and amount) and lists the first
differences.  Exit status 0 when everything agrees, 1 otherwise.
"""
import sqlite3
import sys

STATUSES = ("eligible", "not_eligible", "undetermined")


def counts(db, sql, args=()):
    out = {}
    for policy, status, n, amount in db.execute(sql, args):
        out.setdefault(policy, {})[status] = (n, amount)
    return out


def yuan(fen):
    if fen is None:
        return "-"
    return "%s%d.%02d" % ("-" if fen < 0 else "", abs(fen) // 100, abs(fen) % 100)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().split("\n")[0])
    db = sqlite3.connect(sys.argv[1])
    db.execute("ATTACH DATABASE ? AS s", (sys.argv[2],))
    run = db.execute("SELECT max(run_id) FROM runs").fetchone()[0]
    h = counts(db, "SELECT policy, status, count(*), sum(amount_fen) FROM decisions "
                   "WHERE run_id = ? GROUP BY policy, status", (run,))
    s = counts(db, "SELECT policy, status, count(*), sum(amount_fen) FROM s.sql_decisions "
                   "GROUP BY policy, status")
    order = [r[0] for r in db.execute("SELECT name FROM run_policies WHERE run_id = ? "
                                      "ORDER BY entity_kind, policy", (run,))]
    order += sorted(set(s) - set(order))
    ok = True
    print("%-15s %-6s %9s %13s %13s %18s" % ("policy", "", "eligible", "not eligible", "undetermined",
                                              "total amount"))
    for p in order:
        rows = []
        for side, c in (("huimin", h), ("sql", s)):
            c = c.get(p, {})
            amounts = [v[1] for v in c.values() if v[1] is not None]
            rows.append(tuple(c.get(st, (0, None))[0] for st in STATUSES) + (sum(amounts) if amounts else None,))
        same = rows[0] == rows[1]
        ok &= same
        for side, r in zip(("huimin", "sql"), rows):
            print("%-15s %-6s %9d %13d %13d %18s%s" % (p if side == "huimin" else "", side, r[0], r[1], r[2],
                                                       yuan(r[3]), "" if same or side == "huimin" else "   <- differs"))
    # decision by decision
    diff = db.execute(
        "SELECT d.entity_id, d.policy, d.status, d.amount_fen, q.status, q.amount_fen "
        "FROM decisions d LEFT JOIN s.sql_decisions q ON q.entity_id = d.entity_id AND q.policy = d.policy "
        "WHERE d.run_id = ? AND (q.status IS NOT d.status OR q.amount_fen IS NOT d.amount_fen)", (run,)).fetchall()
    nh = db.execute("SELECT count(*) FROM decisions WHERE run_id = ?", (run,)).fetchone()[0]
    ns = db.execute("SELECT count(*) FROM s.sql_decisions").fetchone()[0]
    if diff or nh != ns:
        ok = False
        print("%d of %d decisions differ (huimin %d decisions, sql %d)" % (len(diff), nh, nh, ns))
        for r in diff[:10]:
            print("  %s %s: huimin %s %s, sql %s %s" % r)
    else:
        print("all %d decisions agree, entity by entity" % nh)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
