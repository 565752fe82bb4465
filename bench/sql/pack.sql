-- pack.sql -- examples/policies/{dibao,tekun,gaoling}.pol written as plain
-- SQL on SQLite, with the engine's semantics: three-valued logic (a fact
-- that is missing, stale or unusable is unknown; `false and unknown` is
-- false), freshness limits, money in fen rounded half away from zero, the
-- dated and keyed parameters as of the run's date, 特困 excluding 低保, and
-- 高龄津贴's exception for non-local centenarians.
--
-- Expects the department tables in the main database (see
-- bench/compare.sh) and a table params(as_of TEXT).  Produces
-- sql_decisions(entity_kind, entity_id, policy, status, amount_fen).
-- Unknown is NULL; booleans are 0/1.

DROP TABLE IF EXISTS sql_decisions;

CREATE TEMP TABLE f_person AS
SELECT p.person_id, p.hh_id,
       -- person.deceased: a 0/1 value whose row is at most 31 days old
       CASE WHEN typeof(p.deceased) = 'integer' AND p.deceased IN (0, 1)
                 AND p.updated_on IS NOT NULL
                 AND date(p.updated_on, '+31 days') >= (SELECT as_of FROM params)
            THEN p.deceased END AS deceased,
       -- age(person.birth_date): full years on the as-of date
       CAST(strftime('%Y', (SELECT as_of FROM params)) AS INTEGER) - CAST(strftime('%Y', p.birth_date) AS INTEGER)
         - (strftime('%m-%d', (SELECT as_of FROM params)) < strftime('%m-%d', p.birth_date)) AS age,
       CASE WHEN p.local_hukou IN (0, 1) THEN p.local_hukou END AS local_hukou,
       p.residence_years,
       CASE WHEN typeof(i.monthly_income_fen) = 'integer' THEN i.monthly_income_fen END AS income,
       -- monthly(person.medical_selfpay): a twelfth, half away from zero
       CASE WHEN typeof(s.selfpay_fen) = 'integer' THEN (2 * s.selfpay_fen + 12) / 24 END AS selfpay_m,
       CASE WHEN m.supporter_able IN (0, 1) THEN m.supporter_able END AS supporter_able,
       c.grade, c.kind_code
FROM person p
LEFT JOIN income i ON i.person_id = p.person_id
LEFT JOIN selfpay s ON s.person_id = p.person_id
LEFT JOIN member m ON m.person_id = p.person_id
LEFT JOIN card c ON c.person_id = p.person_id;

CREATE INDEX temp.f_person_hh ON f_person(hh_id);

-- 无劳动能力(m): age ≥ 60 or age < 16 or 重度残疾(m), Kleene or
CREATE TEMP VIEW v_unable AS
SELECT person_id, hh_id,
       CASE WHEN age >= 60 OR age < 16 THEN 1
            WHEN grade IS NOT NULL AND (
                   (kind_code IN ('5', '6') AND grade <= 3) OR (kind_code = '4' AND grade <= 2)
                   OR (kind_code = '1' AND grade = 1)) THEN 1
            WHEN age IS NULL THEN NULL
            ELSE 0 END AS unable
FROM f_person;

-- per household: the living members and what the policies sum over them;
-- one member whose death is unknown makes the whole list unknown, and so
-- everything computed over it (as the engine does: `where` with an unknown
-- condition gives an unknown list)
CREATE TEMP TABLE f_household AS
SELECT h.hh_id,
       CASE h.region_code WHEN '330100' THEN CASE WHEN (SELECT as_of FROM params) >= '2024-07-01' THEN 124500 ELSE 119500 END
                          WHEN '330200' THEN CASE WHEN (SELECT as_of FROM params) >= '2024-07-01' THEN 122000 ELSE 117000 END
                          ELSE CASE WHEN h.region_code IS NOT NULL THEN 110000 END END AS line,
       CASE WHEN typeof(k.assets_fen) = 'integer' AND k.checked_on IS NOT NULL
                 AND date(k.checked_on, '+6 months') >= (SELECT as_of FROM params)
            THEN k.assets_fen END AS assets,
       CASE WHEN typeof(o.other_housing) = 'integer' AND o.other_housing IN (0, 1) THEN o.other_housing END AS other_housing,
       a.list_known, a.living, a.income, a.selfpay, a.all_unable, a.none_supporter
FROM household h
LEFT JOIN household_check k ON k.hh_id = h.hh_id
LEFT JOIN property o ON o.hh_id = h.hh_id
LEFT JOIN (
  SELECT hh_id,
         min(deceased IS NOT NULL) AS list_known,
         sum(deceased = 0) AS living,
         CASE WHEN sum(deceased = 0 AND income IS NULL) = 0 THEN total(CASE WHEN deceased = 0 THEN income END) END AS income,
         CASE WHEN sum(deceased = 0 AND selfpay_m IS NULL) = 0 THEN total(CASE WHEN deceased = 0 THEN selfpay_m END) END AS selfpay,
         CASE WHEN sum(deceased = 0 AND unable = 0) > 0 THEN 0
              WHEN sum(deceased = 0 AND unable IS NULL) > 0 THEN NULL ELSE 1 END AS all_unable,
         CASE WHEN sum(deceased = 0 AND supporter_able = 1) > 0 THEN 0
              WHEN sum(deceased = 0 AND supporter_able IS NULL) > 0 THEN NULL ELSE 1 END AS none_supporter
  FROM (SELECT f.*, u.unable FROM f_person f JOIN v_unable u ON u.person_id = f.person_id)
  GROUP BY hh_id
) a ON a.hh_id = h.hh_id;

-- 人数 and 人均月收入 (known only when the living list is)
CREATE TEMP VIEW v_hh AS
SELECT hh_id, line, assets, other_housing,
       CASE WHEN coalesce(list_known, 1) = 1 THEN coalesce(all_unable, 1) END AS all_unable,
       CASE WHEN coalesce(list_known, 1) = 1 THEN coalesce(none_supporter, 1) END AS none_supporter,
       CASE WHEN coalesce(list_known, 1) = 1 THEN coalesce(living, 0) END AS n,
       CASE WHEN coalesce(list_known, 1) = 0 THEN NULL
            WHEN coalesce(living, 0) = 0 THEN 0
            WHEN income IS NULL OR selfpay IS NULL THEN NULL
            ELSE (2 * max(CAST(income AS INTEGER) - CAST(selfpay AS INTEGER), 0) + living) / (2 * living) END AS per_cap
FROM f_household;

-- Kleene and over the conditions: 0 if any is 0, NULL if any is NULL, else 1
CREATE TEMP TABLE t_tekun AS
SELECT hh_id, n, line,
       CASE WHEN c1 = 0 OR c2 = 0 OR c3 = 0 OR c4 = 0 OR c5 = 0 THEN 0
            WHEN c1 IS NULL OR c2 IS NULL OR c3 IS NULL OR c4 IS NULL OR c5 IS NULL THEN NULL
            ELSE 1 END AS t
FROM (SELECT hh_id, n, line,
             n > 0 AS c1, all_unable AS c2, per_cap < line AS c3,
             assets <= 24 * line * n AS c4, none_supporter AS c5
      FROM v_hh);

CREATE TEMP TABLE t_dibao AS
SELECT d.hh_id, d.n, d.line, d.per_cap,
       CASE WHEN d.t = 0 THEN 0
            WHEN k.t = 1 THEN 0          -- 特困 excludes 低保
            WHEN k.t IS NULL OR d.t IS NULL THEN NULL
            ELSE 1 END AS t
FROM (SELECT hh_id, n, line, per_cap,
             CASE WHEN c1 = 0 OR c2 = 0 OR c3 = 0 OR c4 = 0 THEN 0
                  WHEN c1 IS NULL OR c2 IS NULL OR c3 IS NULL OR c4 IS NULL THEN NULL
                  ELSE 1 END AS t
      FROM (SELECT hh_id, n, line, per_cap, n > 0 AS c1, per_cap < line AS c2,
                   assets <= 24 * line * n AS c3, 1 - other_housing AS c4
            FROM v_hh)) d
JOIN t_tekun k ON k.hh_id = d.hh_id;

CREATE TABLE sql_decisions(entity_kind TEXT, entity_id TEXT, policy TEXT, status TEXT, amount_fen INTEGER);

INSERT INTO sql_decisions
SELECT 'household', hh_id, 'dibao',
       CASE t WHEN 1 THEN 'eligible' WHEN 0 THEN 'not_eligible' ELSE 'undetermined' END,
       CASE WHEN t = 1 THEN (line - per_cap) * n END
FROM t_dibao;

INSERT INTO sql_decisions
SELECT 'household', hh_id, 'tekun',
       CASE t WHEN 1 THEN 'eligible' WHEN 0 THEN 'not_eligible' ELSE 'undetermined' END,
       -- 低保标准 × 130% (half away from zero) × 人数
       CASE WHEN t = 1 THEN ((line * 1300000 + 500000) / 1000000) * n END
FROM t_tekun;

-- 高龄津贴: all { not deceased, age ≥ 80, local hukou }, except a
-- non-local centenarian resident for 5 years or more, who is eligible; an
-- unknown exception keeps only an "eligible"
INSERT INTO sql_decisions
SELECT 'person', person_id, 'gaoling',
       CASE t WHEN 1 THEN 'eligible' WHEN 0 THEN 'not_eligible' ELSE 'undetermined' END,
       CASE WHEN t = 1 THEN CASE WHEN age >= 100 THEN 30000 WHEN age >= 90 THEN
                                 CASE WHEN (SELECT as_of FROM params) >= '2025-01-01' THEN 15000 ELSE 10000 END
                            WHEN age >= 80 THEN 5000 END END
FROM (SELECT person_id, age,
             CASE WHEN x = 1 THEN 1
                  WHEN x = 0 THEN base
                  WHEN base = 1 THEN 1
                  ELSE NULL END AS t
      FROM (SELECT person_id, age,
                   CASE WHEN 1 - deceased = 0 OR age >= 80 = 0 OR local_hukou = 0 THEN 0
                        WHEN deceased IS NULL OR age IS NULL OR local_hukou IS NULL THEN NULL
                        ELSE 1 END AS base,
                   CASE WHEN age >= 100 = 0 OR 1 - local_hukou = 0 OR residence_years >= 5 = 0 OR 1 - deceased = 0 THEN 0
                        WHEN age IS NULL OR local_hukou IS NULL OR residence_years IS NULL OR deceased IS NULL THEN NULL
                        ELSE 1 END AS x
            FROM f_person));
