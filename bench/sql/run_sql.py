#!/usr/bin/env python3
"""run_sql.py CITY_DIR OUT_DB [AS_OF] -- bench/sql/pack.sql over a city's databases, timed.
   run_sql.py --check CITY_DIR      -- does CITY_DIR have the tables pack.sql reads?

The department databases CITY_DIR/*.db are attached read-only where they
are, under their sources' names: nothing is copied.  Three phases, timed
like huimin's:
  load      attach the databases, the as-of date, and pack.sql's set-up (the
            code maps and parameters in force, in small temp tables);
  evaluate  pack.sql's evaluation: the per-person results of the records
            tables and the household decisions, in keyed temp tables, then
            one INSERT ... SELECT of the eligible and undetermined decisions
            into OUT_DB's table `decisions`;
  write     the commit: OUT_DB written (replaced).

Prints one line on stdout:
  sql: load L s, evaluate E s, write W s, total T s, peak memory M MiB
(peak memory: the process's maximum resident size).  AS_OF defaults to the
as_of of CITY_DIR/city.txt, else 2024-08-01.
"""
import os
import resource
import sqlite3
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# database (attached under this name) -> tables the rules read
TABLES = {
    "registry": ["household", "person"],
    "civil_affairs": ["household_check", "marriage", "assistance", "schooling", "region"],
    "social_security": ["income", "employment", "contribution"],
    "housing": ["property"],
    "medical_insurance": ["selfpay", "bill", "hbill"],
    "disability_federation": ["certificate"],
    "tax": ["annual_return", "deduction"],
}

# pack.sql's set-up ends, and its evaluation starts, at this line
EVALUATION = "\n-- 2. Evaluation\n"

# Page cache: the department databases are read in key order, so a few
# pages each are enough (the kernel's page cache holds the files); the temp
# tables, looked up by household in any order, get room to stay in memory.
DEPARTMENT_CACHE_KIB = 16384
TEMP_CACHE_KIB = 1048576


def city_as_of(city):
    try:
        with open(os.path.join(city, "city.txt"), encoding="utf-8") as f:
            for word in f.read().split():
                if word.startswith("as_of="):
                    return word[6:]
    except OSError:
        pass
    return "2024-08-01"


def statements(text):
    """The SQL statements of text, in order."""
    out, buf = [], ""
    for line in text.splitlines(True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf)
            buf = ""
    if buf.strip() and any(not l.strip().startswith("--") for l in buf.splitlines() if l.strip()):
        sys.exit("run_sql: pack.sql ends in an unfinished statement")
    return out


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
    if EVALUATION not in pack:
        sys.exit("run_sql: pack.sql has no line %r" % EVALUATION.strip())
    setup = statements(pack[:pack.index(EVALUATION)])
    evaluate = statements(pack[pack.index(EVALUATION):])
    for src in TABLES:
        if not os.path.exists(os.path.join(city, src + ".db")):
            sys.exit("run_sql: %s is missing" % os.path.join(city, src + ".db"))
    tmp = out + ".tmp"
    if os.path.exists(tmp):
        os.remove(tmp)

    t0 = time.perf_counter()
    db = sqlite3.connect(tmp, isolation_level=None)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA temp_store = MEMORY")
    for src in TABLES:
        db.execute("ATTACH DATABASE ? AS %s" % src,
                   ("file:%s?mode=ro" % os.path.abspath(os.path.join(city, src + ".db")),))
    for schema in ["main", "temp"]:
        db.execute("PRAGMA %s.cache_size = -%d" % (schema, TEMP_CACHE_KIB))
    for schema in TABLES:
        db.execute("PRAGMA %s.cache_size = -%d" % (schema, DEPARTMENT_CACHE_KIB))
    db.execute("CREATE TEMP TABLE run_params (as_of TEXT)")
    db.execute("INSERT INTO temp.run_params VALUES (?)", (as_of,))
    for stmt in setup:
        db.execute(stmt)
    db.execute("CREATE TABLE main.decisions (entity_kind TEXT, entity_id TEXT, policy TEXT, "
               "status TEXT, amount_fen INTEGER, claim INTEGER)")
    t1 = time.perf_counter()
    db.execute("BEGIN")
    for stmt in evaluate:
        db.execute(stmt)
    t2 = time.perf_counter()
    db.execute("COMMIT")
    db.close()
    os.replace(tmp, out)
    t3 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print("sql: load %.3f s, evaluate %.3f s, write %.3f s, total %.3f s, peak memory %d MiB"
          % (t1 - t0, t2 - t1, t3 - t2, t3 - t0, peak))


if __name__ == "__main__":
    main()
