#!/usr/bin/env python3
"""run_sql.py CITY_DIR OUT_DB AS_OF -- bench/sql/pack.sql over a city, timed.

load:     the department tables the rules read, copied into an in-memory
          database and indexed on their keys (the facts in memory)
evaluate: pack.sql, facts to the table sql_decisions
write:    sql_decisions written to OUT_DB

Prints one line: "sql: load L s, evaluate E s, write W s, total T s, peak memory M MiB".
"""
import os
import resource
import sqlite3
import sys
import time

TABLES = {
    "registry": [("household", "hh_id"), ("person", "person_id")],
    "civil_affairs": [("household_check", "hh_id"), ("member", "person_id")],
    "social_security": [("income", "person_id")],
    "housing": [("property", "hh_id")],
    "medical_insurance": [("selfpay", "person_id")],
    "disability_federation": [("card", "person_id")],
}


def main():
    city, out, as_of = sys.argv[1:4]
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "pack.sql"), encoding="utf-8") as f:
        pack = f.read()
    t0 = time.time()
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("PRAGMA temp_store = MEMORY")
    for src, tables in TABLES.items():
        db.execute("ATTACH ? AS %s" % src, (os.path.join(city, src + ".db"),))
        for table, key in tables:
            db.execute("CREATE TABLE main.%s AS SELECT * FROM %s.%s" % (table, src, table))
            db.execute("CREATE UNIQUE INDEX main.%s_key ON %s(%s)" % (table, table, key))
        db.execute("DETACH %s" % src)
    db.execute("CREATE INDEX main.person_hh ON person(hh_id)")
    db.execute("CREATE TABLE params(as_of TEXT)")
    db.execute("INSERT INTO params VALUES (?)", (as_of,))
    t1 = time.time()
    db.executescript(pack)
    t2 = time.time()
    if os.path.exists(out):
        os.remove(out)
    db.execute("ATTACH ? AS out", (out,))
    db.execute("BEGIN")
    db.execute("CREATE TABLE out.sql_decisions AS SELECT * FROM sql_decisions")
    db.execute("COMMIT")
    db.execute("DETACH out")
    t3 = time.time()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print("sql: load %.3f s, evaluate %.3f s, write %.3f s, total %.3f s, peak memory %d MiB"
          % (t1 - t0, t2 - t1, t3 - t2, t3 - t0, peak))


if __name__ == "__main__":
    main()
