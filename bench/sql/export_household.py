#!/usr/bin/env python3
"""export_household.py -- households of an example city as `huimin run --given` JSON,
and a check of bench/sql/pack.sql against the engine one household at a time.

    export_household.py CITY HH_ID...            print each household's JSON
    export_household.py CITY HH_ID... --out DIR  write DIR/HH_ID.json
    export_household.py CITY --sample K [--seed S] --out DIR
    export_household.py CITY --sample K --check SQL_RESULTS.db [--huimin PATH] [--as-of DATE]

CITY is a folder written by examples/city/generate.  The JSON holds the facts
the way the source configuration (CITY/sources.conf) hands them to the engine:
department codes mapped to labels (a code the source's map does not list is
left out, as a missing fact), values a field cannot hold left out,
person.marital from registry and civil affairs merged (two different values
are a conflict: left out), person.deceased and household.assets with the
as-of date of their row (a row with no date is left out: under a freshness
limit it cannot be shown fresh), records always given (no row is an empty
list), money as exact yuan strings.

--check runs `huimin run examples/policies --given FILE --format json` for
each household and compares every decision (status, and the amount of an
eligible one) with the table `decisions` of SQL_RESULTS.db (written by
bench/sql/run_sql.py over the same city and as-of date: its eligible and
undetermined decisions, no row being not eligible).  `--given` runs settle
what Kleene's rules leave undetermined (docs/language.md), so a decision
undetermined in SQL and decided by huimin is counted as settled, not as a
difference.  Exit status 1 on any difference.
"""
import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# the `map` blocks of examples/policies/sources.pol
MARITAL_REGISTRY = {"10": "single", "20": "married", "30": "widowed", "40": "divorced"}
MARITAL_CIVIL = {"1": "married", "2": "single", "3": "divorced", "4": "widowed", "9": "other"}
RELATION = {"01": "head", "02": "head", "10": "spouse", "11": "spouse", "12": "spouse"}
RELATION.update({c: "child" for c in ("20", "21", "22", "23", "30", "31", "32", "33")})
RELATION.update({c: "grandchild" for c in ("40", "41", "42", "43", "44")})
RELATION.update({c: "parent" for c in ("50", "51", "52")})
RELATION.update({c: "grandparent" for c in ("60", "61", "62", "63", "64")})
RELATION.update({c: "sibling" for c in ("70", "71", "73", "75", "77")})
RELATION.update({"80": "other_relative", "99": "other_relative"})
SCHOOL = {"00": "out_of_school", "10": "preschool", "21": "primary", "22": "junior",
          "31": "senior", "32": "vocational", "41": "college"}
KIND = {"1": "visual", "2": "hearing", "3": "speech", "4": "physical", "5": "intellectual",
        "6": "mental", "7": "multiple"}
TIER = {"1": "tier1", "2": "tier2", "3": "tier3"}

YES = ("1", "true", "t", "yes", "y", "是")
NO = ("0", "false", "f", "no", "n", "否")


def as_bool(v):
    if isinstance(v, int) and v in (0, 1):
        return bool(v)
    if isinstance(v, str):
        if v in YES:
            return True
        if v in NO:
            return False
    return None


def as_int(v):
    return v if isinstance(v, int) else None


def yuan(fen):
    if not isinstance(fen, int):
        return None
    sign = "-" if fen < 0 else ""
    return "%s%d.%02d" % (sign, abs(fen) // 100, abs(fen) % 100)


def code(v, mapping):
    if isinstance(v, int):
        v = str(v)
    return mapping.get(v) if isinstance(v, str) else None


class City:
    def __init__(self, path):
        self.path = path
        self.db = sqlite3.connect(":memory:")
        for name in ("registry", "civil_affairs", "social_security", "housing",
                     "medical_insurance", "disability_federation", "tax"):
            self.db.execute("ATTACH DATABASE ? AS %s" % name,
                            ("file:%s?mode=ro" % os.path.join(path, name + ".db"),))
        self.db.execute("PRAGMA query_only = 1")

    def one(self, sql, *args):
        return self.db.execute(sql, args).fetchone()

    def household_ids(self):
        return [r[0] for r in self.db.execute("SELECT hh_id FROM registry.household ORDER BY hh_id")]

    def members(self, hh_id):
        return [r[0] for r in self.db.execute(
            "SELECT person_id FROM registry.person WHERE hh_id = ? ORDER BY person_id", (hh_id,))]

    def household(self, hh_id):
        """The household as `--given` JSON (a dict)."""
        h = {}
        r = self.one("SELECT region_code FROM registry.household WHERE hh_id = ?", hh_id)
        if r is None:
            raise KeyError(hh_id)
        h["region"] = str(r[0]) if isinstance(r[0], (str, int)) else None
        r = self.one("SELECT assets_fen, checked_on FROM civil_affairs.household_check WHERE hh_id = ?", hh_id)
        h["assets"] = ({"value": yuan(r[0]), "as_of": r[1]}
                       if r and isinstance(r[0], int) and r[1] else None)
        r = self.one("SELECT other_housing FROM housing.property WHERE hh_id = ?", hh_id)
        h["other_housing"] = as_bool(r[0]) if r else None
        h["members"] = [self.person(pid) for pid in self.members(hh_id)]
        return {"household": h}

    def person(self, pid):
        m = {}
        r = self.one("SELECT birth_date, deceased, marital_code, relation_code, local_hukou, "
                     "residence_years, updated_on FROM registry.person WHERE person_id = ?", pid)
        birth, dead, mar_reg, rel, local, years, updated = r
        m["birth_date"] = birth
        d = as_bool(dead)
        m["deceased"] = {"value": d, "as_of": updated} if d is not None and updated else None
        c = self.one("SELECT marital_code FROM civil_affairs.marriage WHERE person_id = ?", pid)
        a, b = code(mar_reg, MARITAL_REGISTRY), code(c[0], MARITAL_CIVIL) if c else None
        m["marital"] = a if b is None else b if a is None else a if a == b else None
        m["relation"] = code(rel, RELATION)
        m["local_hukou"] = as_bool(local)
        m["residence_years"] = as_int(years)
        r = self.one("SELECT supporter_able FROM civil_affairs.assistance WHERE person_id = ?", pid)
        m["supporter_able"] = as_bool(r[0]) if r else None
        r = self.one("SELECT stage_code FROM civil_affairs.schooling WHERE person_id = ?", pid)
        m["school_stage"] = code(r[0], SCHOOL) if r else None
        r = self.one("SELECT amount_fen FROM social_security.income WHERE person_id = ?", pid)
        m["monthly_income"] = yuan(r[0]) if r else None
        r = self.one("SELECT hard_to_employ, flexible_employed FROM social_security.employment "
                     "WHERE person_id = ?", pid)
        m["hard_to_employ"] = as_bool(r[0]) if r else None
        m["flexible_employed"] = as_bool(r[1]) if r else None
        m["contributions"] = [
            {"date": d + "-01" if len(d) == 7 else d, "value": yuan(v)}
            for d, v in self.db.execute("SELECT month, amount_fen FROM social_security.contribution "
                                        "WHERE person_id = ? AND amount_fen IS NOT NULL ORDER BY month", (pid,))]
        r = self.one("SELECT amount_fen FROM medical_insurance.selfpay WHERE person_id = ?", pid)
        m["medical_selfpay"] = yuan(r[0]) if r else None
        m["medical_bills"] = [
            {"date": d, "value": yuan(v)}
            for d, v in self.db.execute("SELECT settled_on, amount_fen FROM medical_insurance.bill "
                                        "WHERE person_id = ? AND amount_fen IS NOT NULL ORDER BY settled_on", (pid,))]
        r = self.one("SELECT grade, kind_code FROM disability_federation.certificate WHERE person_id = ?", pid)
        m["disability_grade"] = as_int(r[0]) if r else None
        m["disability_kind"] = code(r[1], KIND) if r else None
        r = self.one("SELECT wage_fen, social_insurance_fen FROM tax.annual_return WHERE person_id = ?", pid)
        m["annual_wage"] = yuan(r[0]) if r else None
        m["social_insurance_paid"] = yuan(r[1]) if r else None
        r = self.one("SELECT children_edu, infants, housing_loan, renting, city_tier, supports_elderly, "
                     "only_child, elderly_share_fen FROM tax.deduction WHERE person_id = ?", pid)
        r = r or (None,) * 8
        m["children_edu"] = as_int(r[0])
        m["infants"] = as_int(r[1])
        m["housing_loan"] = as_bool(r[2])
        m["renting"] = as_bool(r[3])
        m["rent_tier"] = code(r[4], TIER)
        m["supports_elderly"] = as_bool(r[5])
        m["only_child"] = as_bool(r[6])
        m["elderly_share"] = yuan(r[7])
        return m


def to_fen(amount):
    if amount is None:
        return None
    neg = amount.startswith("-")
    y, f = amount.lstrip("-").split(".")
    v = int(y) * 100 + int(f)
    return -v if neg else v


def check(city, ids, sql_db, huimin, as_of):
    res = sqlite3.connect(sql_db)
    bad = 0
    total = 0
    settled = 0
    with tempfile.TemporaryDirectory() as tmp:
        for hh_id in ids:
            path = os.path.join(tmp, hh_id + ".json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(city.household(hh_id), f, ensure_ascii=False)
            members = city.members(hh_id)
            p = subprocess.run([huimin, "run", os.path.join(ROOT, "examples", "policies"), "--given", path,
                                "--as-of", as_of, "--format", "json"], capture_output=True, text=True)
            if p.returncode != 0:
                print("%s: huimin run failed (%d): %s" % (hh_id, p.returncode, p.stderr.strip()))
                bad += 1
                continue
            for d in json.loads(p.stdout)["decisions"]:
                eid = hh_id if d["entity"] == "household" else members[d["member"] - 1]
                # only eligible and undetermined decisions are written: no row is not eligible
                row = res.execute("SELECT status, amount_fen FROM decisions WHERE entity_id = ? AND policy = ?",
                                  (eid, d["policy"])).fetchone() or ("not_eligible", None)
                total += 1
                mine = (d["status"], to_fen(d["amount"]) if d["status"] == "eligible" else None)
                if row[0] == "undetermined" and mine[0] != "undetermined":
                    settled += 1    # Kleene's rules leave it undetermined; huimin settles it
                    continue
                if tuple(row) != mine:
                    bad += 1
                    print("%s %s %s: huimin %s %s, sql %s %s" % (hh_id, eid, d["policy"], mine[0], mine[1],
                                                                 row[0], row[1]))
                    print("    facts: %s" % path.replace(tmp, "(exported)"))
    print("%d households, %d decisions compared, %d differ, %d undetermined in SQL settled by huimin"
          % (len(ids), total, bad, settled))
    return bad == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("city")
    ap.add_argument("ids", nargs="*", metavar="HH_ID")
    ap.add_argument("--sample", type=int, metavar="K", help="K households chosen at random")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", metavar="DIR", help="write DIR/HH_ID.json")
    ap.add_argument("--check", metavar="SQL_RESULTS.db", help="compare huimin --given with the decisions of bench/sql/run_sql.py")
    ap.add_argument("--huimin", default=os.environ.get("HUIMIN", os.path.join(ROOT, "build", "default", "huimin")))
    ap.add_argument("--as-of", default="2024-08-01")
    args = ap.parse_args()
    city = City(args.city)
    ids = list(args.ids)
    if args.sample:
        ids += random.Random(args.seed).sample(city.household_ids(), args.sample)
    if not ids:
        ap.error("name households (HH_ID...) or --sample K")
    if args.check:
        sys.exit(0 if check(city, ids, args.check, args.huimin, args.as_of) else 1)
    for hh_id in ids:
        text = json.dumps(city.household(hh_id), ensure_ascii=False, indent=1)
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            with open(os.path.join(args.out, hh_id + ".json"), "w", encoding="utf-8") as f:
                f.write(text + "\n")
        else:
            print(text)


if __name__ == "__main__":
    main()
