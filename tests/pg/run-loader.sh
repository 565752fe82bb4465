#!/bin/sh
# run-loader.sh -- examples/city/to-postgres: a generated city of 300
# households loaded whole into one database and as 3 shards into three
# others.  The shards' households are a partition of the whole, each by
# huimin.shard_of; every row of every table is on the shard of its
# household (checked against the SQLite files, by a classification of the
# tables written here, not the loader's); `huimin run` over the whole
# database gives the decisions of `huimin run` over the SQLite databases; a
# second load into a loaded database and a load that fails half-way leave
# the database as it was.
#
# Env: HUIMIN, SRCDIR.
. "$SRCDIR/tests/lib.sh"
. "$SRCDIR/tests/pg/lib.sh"
pg_stage || exit $?
loader="$SRCDIR/examples/city/to-postgres"
city="$work/city"
"$SRCDIR/examples/city/generate" --households 300 --seed 7 --out "$city" > /dev/null 2>&1 ||
	{ echo "FAIL: generate"; exit 1; }
[ "$(id -u)" = 0 ] && chown -R postgres "$work"
pg_start 0 || exit 1
for db in whole s0 s1 s2 bad ext; do
	pg_psql 0 -d postgres -c "CREATE DATABASE $db" || { echo "FAIL: createdb $db"; exit 1; }
done

# usage
"$loader" --city "$city" --db "$(pg_conn 0 whole)" --shard 1 > /dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--shard without --shards: not exit 2"
"$loader" --city "$city" --db "$(pg_conn 0 whole)" --shards 3 --shard 3 > /dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--shard 3 of 3: not exit 2"

# the loads
"$loader" --city "$city" --db "$(pg_conn 0 whole)" --conf "$work/whole.conf" > "$work/out" 2>&1 ||
	bad "whole load: $(cat "$work/out")" && ok
for k in 0 1 2; do
	"$loader" --city "$city" --db "$(pg_conn 0 s$k)" --shards 3 --shard $k > "$work/out" 2>&1 &&
		ok || bad "shard $k: $(cat "$work/out")"
done

# a second load into a loaded database: refused, the database unchanged
tables() { pg_psql 0 -d "$1" -Atc "SELECT count(*) FROM pg_tables WHERE schemaname = 'registry'"; }
before=$(tables whole)
"$loader" --city "$city" --db "$(pg_conn 0 whole)" > "$work/out" 2>&1
st=$?
if [ $st -eq 1 ] && grep -q "already has schema(s) .*registry" "$work/out" && [ "$(tables whole)" = "$before" ]; then
	ok
else bad "load into a loaded database: exit $st: $(cat "$work/out")"; fi

# a load failing at its last table (a value PostgreSQL refuses: bytes that
# are not UTF-8) leaves nothing: one transaction
cp -r "$city" "$work/badcity"
sqlite3 "$work/badcity/enrolment.db" \
	"INSERT INTO enrolment VALUES ('x', CAST(X'FF' AS TEXT), 1, '2024-01-01')" || bad "sqlite3"
"$loader" --city "$work/badcity" --db "$(pg_conn 0 bad)" > "$work/out" 2>&1
st=$?
left=$(pg_psql 0 -d bad -Atc "SELECT count(*) FROM pg_namespace WHERE nspname IN ('registry', 'tax', 'enrolment')")
if [ $st -eq 1 ] && [ "$left" = 0 ] && grep -q "nothing was loaded" "$work/out"; then ok
else bad "failing load: exit $st, $left schemas left: $(cat "$work/out")"; fi

# every row where it belongs
python3 - "$city" "$work" "$pg_host_0" > "$work/check" 2>&1 <<'PY'
import csv, io, sqlite3, subprocess, sys
city, work, host = sys.argv[1:4]
N = 3

def fnv(s):
    h = 0xcbf29ce484222325
    for b in s.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return h

assert fnv("") == 0xcbf29ce484222325 and fnv("a") == 0xaf63dc4c8601ec8c and fnv("foobar") == 0x85944171f73967e8
# how each table's rows belong to a household: by its household id (H), by
# a person id (P), by either (E), or to every shard (ALL)
KIND = {
    "registry": {"household": ("H", "hh_id"), "person": ("H", "hh_id")},
    "civil_affairs": {"household_check": ("H", "hh_id"), "marriage": ("P", "person_id"),
                      "assistance": ("P", "person_id"), "schooling": ("P", "person_id"),
                      "region": ("ALL", None)},
    "social_security": {"income": ("P", "person_id"), "employment": ("P", "person_id"),
                        "contribution": ("P", "person_id")},
    "housing": {"property": ("H", "hh_id")},
    "medical_insurance": {"selfpay": ("P", "person_id"), "bill": ("P", "person_id"),
                          "hbill": ("P", "person_id")},
    "disability_federation": {"certificate": ("P", "person_id")},
    "tax": {"annual_return": ("P", "person_id"), "deduction": ("P", "person_id"),
            "edu_claim": ("P", "person_id"), "infant_claim": ("P", "person_id")},
    "enrolment": {"enrolment": ("E", "entity_id")},
}
reg = sqlite3.connect(city + "/registry.db")
households = {h for (h,) in reg.execute("SELECT hh_id FROM household")}
person_hh = dict(reg.execute("SELECT person_id, hh_id FROM person"))
fails = 0

def fail(msg):
    global fails
    fails += 1
    print("FAIL: " + msg)

def pg_rows(db, schema, table, types):
    out = subprocess.run(["psql", "-X", "-h", host, "-U", "postgres", "-d", db, "-c",
                          'COPY "%s"."%s" TO STDOUT WITH (FORMAT csv, NULL \'\\N\')' % (schema, table)],
                         capture_output=True, text=True, check=True).stdout
    return sorted(norm(r, types) for r in csv.reader(io.StringIO(out)))

def norm(row, types):
    out = []
    for v, t in zip(row, types):
        if v == "\\N" or v is None:
            out.append(None)
        elif t == "double precision":
            out.append(repr(float(v)))
        else:
            out.append(str(v))
    return tuple(out)

def pg_types(schema, table):
    q = ("SELECT data_type FROM information_schema.columns WHERE table_schema = '%s' "
         "AND table_name = '%s' ORDER BY ordinal_position" % (schema, table))
    out = subprocess.run(["psql", "-X", "-At", "-h", host, "-U", "postgres", "-d", "whole", "-c", q],
                         capture_output=True, text=True, check=True).stdout
    return out.split("\n")[:-1]

shard_hh = [set(), set(), set()]
for s, tables in KIND.items():
    db = sqlite3.connect("%s/%s.db" % (city, s))
    have = {t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if have != set(tables):
        fail("%s: tables %s, this test knows %s" % (s, sorted(have), sorted(tables)))
    for t, (kind, col) in tables.items():
        types = pg_types(s, t)
        cols = [c for (_, c, *_r) in db.execute("PRAGMA table_info(%s)" % t)]
        if len(types) != len(cols):
            fail("%s.%s: %d columns on PostgreSQL, %d in SQLite" % (s, t, len(types), len(cols)))
            continue
        rows = db.execute("SELECT * FROM %s" % t).fetchall()
        whole = sorted(norm(r, types) for r in rows)
        if pg_rows("whole", s, t, types) != whole:
            fail("%s.%s: the whole load differs from SQLite" % (s, t))
        want = [[], [], []]
        for r in rows:
            v = r[cols.index(col)] if col else None
            if kind == "ALL":
                homes = [0, 1, 2]
            else:
                # a row of no household of the registry is on no shard
                hh = v if kind == "H" or (kind == "E" and v in households) else person_hh.get(v)
                homes = [fnv(hh) % N] if hh in households else []
                if t == "household":
                    shard_hh[homes[0]].add(v)
            for k in homes:
                want[k].append(norm(r, types))
        for k in range(N):
            got = pg_rows("s%d" % k, s, t, types)
            if got != sorted(want[k]):
                fail("%s.%s: shard %d has %d rows, expected %d (or other rows)"
                     % (s, t, k, len(got), len(want[k])))
# the shards' households: a partition of the whole, each where shard_of puts it
if set().union(*shard_hh) != households or sum(map(len, shard_hh)) != len(households) \
        or any(not s for s in shard_hh):
    fail("the shards' households are no partition of the city's")
with open(work + "/shards.txt", "w") as f:
    for k in range(N):
        for h in sorted(shard_hh[k]):
            f.write("%s|%d\n" % (h, k))
print("checked, %d failures" % fails)
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] && ok || bad "rows by shard: $(grep -v '^checked' "$work/check" | head -20)"

# the loader's hash is the extension's huimin.shard_of
if pg_psql 0 -d ext -c "CREATE EXTENSION huimin CASCADE" > "$work/out" 2>&1; then
	pg_psql 0 -d ext -c "CREATE TABLE hh(id text, k int)" -c "\\copy hh FROM '$work/shards.txt' WITH (DELIMITER '|')" &&
		n=$(pg_psql 0 -d ext -Atc "SELECT count(*) FROM hh WHERE huimin.shard_of(id, 3) <> k") &&
		[ "$n" = 0 ] && ok || bad "huimin.shard_of disagrees with the loader on ${n:-?} households"
else
	bad "CREATE EXTENSION huimin: $(cat "$work/out")"
fi

# the same decisions through the postgres plugin as through the sqlite one
q="SELECT entity_kind, entity_id, household_id, policy, status, amount_fen, amount_period, reason, message,
	missing, claim FROM decisions ORDER BY entity_kind, entity_id, policy, claim"
"$HUIMIN" run "$SRCDIR/examples/policies" --config "$city/sources.conf" --out "$work/lite.db" --reasons \
	--no-progress > /dev/null 2> "$work/err" || bad "sqlite run: $(cat "$work/err")"
"$HUIMIN" run "$SRCDIR/examples/policies" --config "$work/whole.conf" --out "$work/pg.db" --reasons \
	--no-progress > /dev/null 2> "$work/err" || bad "postgres run: $(cat "$work/err")"
sqlite3 "$work/lite.db" "$q" > "$work/lite.dec" 2>&1
sqlite3 "$work/pg.db" "$q" > "$work/pg.dec" 2>&1
if [ -s "$work/lite.dec" ] && cmp -s "$work/lite.dec" "$work/pg.dec"; then ok
else bad "decisions differ: $(diff "$work/lite.dec" "$work/pg.dec" | wc -l) lines of diff"; fi
# the configuration written: sqlite settings replaced, all others kept
grep -q "^plugin *= sqlite" "$work/whole.conf" && bad "whole.conf still has plugin = sqlite" || ok
[ "$(grep -c "^schema *= " "$work/whole.conf")" = "$(grep -c "^database *= " "$city/sources.conf")" ] &&
	ok || bad "whole.conf: not a schema per database"
finish
