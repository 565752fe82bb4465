#!/usr/bin/env python3
"""run_sql.py CITY_DIR OUT_DB [AS_OF] -- bench/sql/pack.sql over a city, timed.
   run_sql.py --check CITY_DIR      -- does CITY_DIR have the tables pack.sql reads?

Three phases, timed like huimin's:
  load      the department tables copied from CITY_DIR/*.db into an
            in-memory database (with their keys), plus the indexes a DBA
            would add for the joins (persons by household, records by
            person and date);
  evaluate  pack.sql, up to the table sql_decisions;
  write     sql_decisions written to OUT_DB (replaced).

Prints one line on stdout:
  sql: load L s, evaluate E s, write W s, total T s, peak memory M MiB
AS_OF defaults to the as_of of CITY_DIR/city.txt, else 2024-08-01.
"""
import os
import resource
import sqlite3
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# database -> tables the rules read
TABLES = {
    "registry": ["household", "person"],
    "civil_affairs": ["household_check", "marriage", "assistance", "schooling"],
    "social_security": ["income", "employment", "contribution"],
    "housing": ["property"],
    "medical_insurance": ["selfpay", "bill"],
    "disability_federation": ["certificate"],
    "tax": ["annual_return", "deduction"],
}

INDEXES = [
    "CREATE INDEX contribution_by_person ON contribution(person_id, month, amount_fen)",
    "CREATE INDEX bill_by_person ON bill(person_id, settled_on, amount_fen)",
]


def city_as_of(city):
    try:
        with open(os.path.join(city, "city.txt"), encoding="utf-8") as f:
            for word in f.read().split():
                if word.startswith("as_of="):
                    return word[6:]
    except OSError:
        pass
    return "2024-08-01"


def load(db, city, as_of):
    db.execute("BEGIN")
    for src, tables in TABLES.items():
        path = os.path.join(city, src + ".db")
        if not os.path.exists(path):
            sys.exit("run_sql: %s is missing" % path)
        db.execute("ATTACH DATABASE ? AS %s" % src, ("file:%s?mode=ro" % path,))
        for t in tables:
            row = db.execute("SELECT sql FROM %s.sqlite_schema WHERE type = 'table' AND name = ?"
                             % src, (t,)).fetchone()
            if not row:
                sys.exit("run_sql: %s has no table %s" % (path, t))
            ddl = row[0]
            if "PRIMARY KEY" in ddl.upper():
                ddl += " WITHOUT ROWID"     # clustered on the key: one B-tree search per lookup
            db.execute(ddl)
            db.execute("INSERT INTO main.%s SELECT * FROM %s.%s" % (t, src, t))
    for stmt in INDEXES:
        db.execute(stmt)
    db.execute("CREATE TABLE run_params (as_of TEXT)")
    db.execute("INSERT INTO run_params VALUES (?)", (as_of,))
    db.execute("COMMIT")
    for src in TABLES:
        db.execute("DETACH DATABASE %s" % src)


def has_tables(city):
    """True when every database and table pack.sql reads is in CITY_DIR."""
    for src, tables in TABLES.items():
        path = os.path.join(city, src + ".db")
        if not os.path.exists(path):
            return False
        db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
        try:
            have = {r[0] for r in db.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
        except sqlite3.DatabaseError:
            return False
        finally:
            db.close()
        if not set(tables) <= have:
            return False
    return True


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        sys.exit(0 if has_tables(sys.argv[2]) else 1)
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.strip().split("\n")[0])
    city, out = sys.argv[1], sys.argv[2]
    as_of = sys.argv[3] if len(sys.argv) == 4 else city_as_of(city)
    with open(os.path.join(HERE, "pack.sql"), encoding="utf-8") as f:
        pack = f.read()
    t0 = time.perf_counter()
    db = sqlite3.connect("file::memory:", uri=True, isolation_level=None)
    db.execute("PRAGMA temp_store = MEMORY")
    db.execute("PRAGMA cache_size = -1048576")
    load(db, city, as_of)
    t1 = time.perf_counter()
    db.executescript("BEGIN;\n" + pack + "\nCOMMIT;")
    t2 = time.perf_counter()
    tmp = out + ".tmp"
    if os.path.exists(tmp):
        os.remove(tmp)
    db.execute("ATTACH DATABASE ? AS out", (tmp,))
    db.execute("PRAGMA out.journal_mode = OFF")
    db.execute("PRAGMA out.synchronous = OFF")
    db.execute("BEGIN")
    db.execute("CREATE TABLE out.sql_decisions (entity_kind TEXT, entity_id TEXT, policy TEXT, "
               "status TEXT, amount_fen INTEGER)")
    db.execute("INSERT INTO out.sql_decisions SELECT * FROM main.sql_decisions")
    db.execute("COMMIT")
    db.execute("DETACH DATABASE out")
    os.replace(tmp, out)
    t3 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print("sql: load %.3f s, evaluate %.3f s, write %.3f s, total %.3f s, peak memory %d MiB"
          % (t1 - t0, t2 - t1, t3 - t2, t3 - t0, peak))


if __name__ == "__main__":
    main()
