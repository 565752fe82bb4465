-- pack.sql -- the whole example pack (examples/policies/*.pol) written as
-- plain SQL on SQLite, run directly over the example city's department
-- databases (examples/city/generate), the files huimin reads.
--
-- Input: each department database attached under its source's name
-- (registry: household, person; civil_affairs: household_check, marriage,
-- assistance, schooling; social_security: income, employment, contribution;
-- housing: property; medical_insurance: selfpay, bill, hbill;
-- disability_federation: certificate; tax: annual_return, deduction), with
-- the keys and indexes they have, and temp.run_params(as_of TEXT).  Nothing
-- is copied.
--
-- Output: main.decisions(entity_kind, entity_id, policy, status, amount_fen,
-- claim) holding only the decisions that matter: status 'eligible' (with its amount
-- for a policy with an amount) or 'undetermined'.  An entity and policy
-- without a row is not eligible.
--
-- Two parts (bench/sql/run_sql.py times them apart, at the line
-- "-- 2. Evaluation"):
--   1. set-up: the as-of date, the code maps and the parameters in force in
--      small temp tables, the longest run of months of every 12-month
--      pattern, the (empty) keyed temp tables the evaluation fills, and the
--      views of the persons' facts;
--   2. evaluation, five statements:
--      - contributions and medical bills of the last 12 months summed per
--        person, in one pass over each records table's person index;
--      - the household decisions: the persons in id order (every
--        department's table is in that order, so each primary-key lookup
--        lands next to the one before), grouped by household for the
--        aggregates over the living members, each household's own facts
--        looked up, its decisions kept by household id;
--      - the person policies: the persons in id order again, each with the
--        decisions of its household, and every household and person
--        decision that is not "not eligible" written to main.decisions;
--      - the one-stop settlement of each hospital bill (claim: its number
--        in the person's list), layer after layer, the year's running
--        totals by window functions over the person's bills of the year in
--        the order of settlement.
--   Temp tables only where a lookup needs a key (given an unkeyed subquery,
--   the planner may scan it once a row rather than index it); members are
--   aggregated by GROUP BY.
--
-- The semantics are the engine's (docs/language.md, docs/plugins.md):
--   * three-valued logic: an unknown fact is NULL, and SQLite's AND, OR and
--     NOT on 0/1/NULL are Kleene's (false AND unknown = false, true AND
--     unknown = unknown), as are all {…} and any {…} groups;
--   * a value the source cannot hold ('n/a' for money, '是的' for a bool),
--     a raw code that the source's `map` does not list, and a cell that is
--     NULL are unknown; an entity with no row has its fields unknown, but
--     no row in a records table is a known empty list;
--   * freshness: person.deceased is stale (unknown) when its row's
--     updated_on is more than 31 days before the as-of date, or missing;
--     household.assets when checked_on + 6 months (end of month kept) is
--     before the as-of date, or missing;
--   * person.marital comes from registry and civil affairs: one usable value
--     is used, two that agree are used, two that differ are a conflict
--     (unknown);
--   * `household.members where not deceased` is unknown when one member's
--     deceased is unknown, and so is every count, sum, any and all over it;
--     a household with no member listed has an empty, known list; a person
--     whose household is not listed is not in the population;
--   * money is integer fen; money × decimal, money ÷ int, monthly(…) and the
--     tax scale round half away from zero, written
--       RHA(a, b) = CASE WHEN a >= 0 THEN (2*a + b) / (2*b) ELSE -((2*(-a) + b) / (2*b)) END
--     for a ÷ b with b > 0 (SQLite's integer division truncates);
--   * parameters dated with `from` take the value in force on the as-of
--     date; a table key that matches an entry uses that entry (unknown before
--     its first date), else the default, else unknown;
--   * tekun excludes dibao: dibao is not eligible when tekun is eligible,
--     and undetermined when tekun is undetermined and dibao is not already
--     not eligible; gaoling's exception makes a non-local centenarian
--     eligible, and an unknown exception keeps only an "eligible";
--   * a policy that would be eligible but whose amount is unknown is
--     undetermined; cross-policy references see the final decisions.

-- ===========================================================================
-- 1. Set-up
-- ===========================================================================

-- The as-of date and the dates derived from it
CREATE TEMP TABLE cfg AS
SELECT as_of,
       date(as_of, '-31 days') AS deceased_fresh_from,          -- fresh within 31 days
       date(as_of, 'start of month', '-12 months') AS w12_lo,   -- during last 12 months:
       date(as_of, 'start of month', '-1 day') AS w12_hi,       --   the 12 months before the as-of month
       CAST(strftime('%Y', as_of, 'start of month', '-12 months') AS INTEGER) * 12
         + CAST(strftime('%m', as_of, 'start of month', '-12 months') AS INTEGER) AS w12_ym,  -- its first month's number
       CAST(substr(as_of, 1, 4) AS INTEGER) AS a_year,
       substr(as_of, 6) AS a_md
FROM temp.run_params;

-- Code sets: each department's raw codes (the `map` blocks of sources.pol)
CREATE TEMP TABLE code_map (codeset TEXT, source TEXT, raw TEXT, label TEXT,
                            PRIMARY KEY (codeset, source, raw)) WITHOUT ROWID;
INSERT INTO code_map VALUES
  ('marital', 'registry', '10', 'single'), ('marital', 'registry', '20', 'married'),
  ('marital', 'registry', '30', 'widowed'), ('marital', 'registry', '40', 'divorced'),
  ('marital', 'civil_affairs', '1', 'married'), ('marital', 'civil_affairs', '2', 'single'),
  ('marital', 'civil_affairs', '3', 'divorced'), ('marital', 'civil_affairs', '4', 'widowed'),
  ('marital', 'civil_affairs', '9', 'other'),
  ('relation', 'registry', '01', 'head'), ('relation', 'registry', '02', 'head'),
  ('relation', 'registry', '10', 'spouse'), ('relation', 'registry', '11', 'spouse'),
  ('relation', 'registry', '12', 'spouse'),
  ('relation', 'registry', '20', 'child'), ('relation', 'registry', '21', 'child'),
  ('relation', 'registry', '22', 'child'), ('relation', 'registry', '23', 'child'),
  ('relation', 'registry', '30', 'child'), ('relation', 'registry', '31', 'child'),
  ('relation', 'registry', '32', 'child'), ('relation', 'registry', '33', 'child'),
  ('relation', 'registry', '40', 'grandchild'), ('relation', 'registry', '41', 'grandchild'),
  ('relation', 'registry', '42', 'grandchild'), ('relation', 'registry', '43', 'grandchild'),
  ('relation', 'registry', '44', 'grandchild'),
  ('relation', 'registry', '50', 'parent'), ('relation', 'registry', '51', 'parent'),
  ('relation', 'registry', '52', 'parent'),
  ('relation', 'registry', '60', 'grandparent'), ('relation', 'registry', '61', 'grandparent'),
  ('relation', 'registry', '62', 'grandparent'), ('relation', 'registry', '63', 'grandparent'),
  ('relation', 'registry', '64', 'grandparent'),
  ('relation', 'registry', '70', 'sibling'), ('relation', 'registry', '71', 'sibling'),
  ('relation', 'registry', '73', 'sibling'), ('relation', 'registry', '75', 'sibling'),
  ('relation', 'registry', '77', 'sibling'),
  ('relation', 'registry', '80', 'other_relative'), ('relation', 'registry', '99', 'other_relative'),
  ('school_stage', 'civil_affairs', '00', 'out_of_school'),
  ('school_stage', 'civil_affairs', '10', 'preschool'),
  ('school_stage', 'civil_affairs', '21', 'primary'),
  ('school_stage', 'civil_affairs', '22', 'junior'),
  ('school_stage', 'civil_affairs', '31', 'senior'),
  ('school_stage', 'civil_affairs', '32', 'vocational'),
  ('school_stage', 'civil_affairs', '41', 'college'),
  ('disability_kind', 'disability_federation', '1', 'visual'),
  ('disability_kind', 'disability_federation', '2', 'hearing'),
  ('disability_kind', 'disability_federation', '3', 'speech'),
  ('disability_kind', 'disability_federation', '4', 'physical'),
  ('disability_kind', 'disability_federation', '5', 'intellectual'),
  ('disability_kind', 'disability_federation', '6', 'mental'),
  ('disability_kind', 'disability_federation', '7', 'multiple'),
  ('city_tier', 'tax', '1', 'tier1'), ('city_tier', 'tax', '2', 'tier2'),
  ('city_tier', 'tax', '3', 'tier3');

-- Parameters: (name, key, from, value); key '*' is a table's default,
-- key '' an untabled parameter, from '0001-01-01' an undated value.  Money
-- in fen.  Ranged keys (高龄津贴标准 by age) are lo..hi in key_lo/key_hi.
CREATE TEMP TABLE param (name TEXT, key TEXT, key_lo INTEGER, key_hi INTEGER, from_date TEXT, value INTEGER);
INSERT INTO param VALUES
  -- gongzufang.pol: 公租房收入线 by household.region
  ('公租房收入线', '330100', NULL, NULL, '2024-01-01', 574000),
  ('公租房收入线', '330100', NULL, NULL, '2025-01-01', 605000),
  ('公租房收入线', '*',      NULL, NULL, '2024-01-01', 450000),
  ('公租房收入线', '*',      NULL, NULL, '2025-01-01', 480000),
  -- canji.pol: 护理补贴标准 by person.disability_grade
  ('护理补贴标准', NULL, 1, 1, '2020-01-01', 20000), ('护理补贴标准', NULL, 1, 1, '2025-01-01', 24000),
  ('护理补贴标准', NULL, 2, 2, '2020-01-01', 15000), ('护理补贴标准', NULL, 2, 2, '2025-01-01', 18000),
  ('护理补贴标准', NULL, 3, 3, '2020-01-01', 10000), ('护理补贴标准', NULL, 3, 3, '2025-01-01', 12000),
  -- gaoling.pol: 高龄津贴标准 by age(person.birth_date)
  ('高龄津贴标准', NULL, 80, 89, '0001-01-01', 5000),
  ('高龄津贴标准', NULL, 90, 99, '2020-01-01', 10000),
  ('高龄津贴标准', NULL, 90, 99, '2025-01-01', 15000),
  ('高龄津贴标准', NULL, 100, 9223372036854775807, '0001-01-01', 30000),
  -- jiaoyu.pol: 教育资助标准 by person.school_stage (per year)
  ('教育资助标准', 'preschool',  NULL, NULL, '0001-01-01', 100000),
  ('教育资助标准', 'primary',    NULL, NULL, '0001-01-01', 100000),
  ('教育资助标准', 'junior',     NULL, NULL, '0001-01-01', 125000),
  ('教育资助标准', 'senior',     NULL, NULL, '2019-09-01', 200000),
  ('教育资助标准', 'senior',     NULL, NULL, '2024-09-01', 230000),
  ('教育资助标准', 'vocational', NULL, NULL, '2019-09-01', 200000),
  ('教育资助标准', 'vocational', NULL, NULL, '2024-09-01', 230000),
  ('教育资助标准', 'college',    NULL, NULL, '2019-09-01', 330000),
  ('教育资助标准', 'college',    NULL, NULL, '2024-09-01', 370000),
  -- geshui.pol (per month unless said)
  ('子女教育扣除', '', NULL, NULL, '2019-01-01', 100000),
  ('子女教育扣除', '', NULL, NULL, '2023-01-01', 200000),
  ('婴幼儿照护扣除', '', NULL, NULL, '2019-01-01', 0),
  ('婴幼儿照护扣除', '', NULL, NULL, '2022-01-01', 100000),
  ('婴幼儿照护扣除', '', NULL, NULL, '2023-01-01', 200000),
  ('赡养老人扣除', '', NULL, NULL, '2019-01-01', 200000),
  ('赡养老人扣除', '', NULL, NULL, '2023-01-01', 300000),
  ('住房租金扣除', 'tier1', NULL, NULL, '0001-01-01', 150000),
  ('住房租金扣除', 'tier2', NULL, NULL, '0001-01-01', 110000),
  ('住房租金扣除', 'tier3', NULL, NULL, '0001-01-01', 80000);
-- untabled, undated: 财产限额月数 24, 生活补贴比例 30%, 特困基本生活标准倍数 130%,
-- 医疗负担比例 40%, 救助比例 50%, 救助上限月数 6, 起领年龄 80,
-- 居住年限要求 5, 单身申请年龄 30, 稳定就业月数 12, 最低缴费月数 6,
-- 基本减除费用 5000/month, 住房贷款利息扣除 1000/month,
-- 大病医疗起付线 15000/year, 大病医疗限额 80000/year: written inline below.

-- Each entry's value in force on the as-of date (NULL before its first
-- date): keyed entries, and ranged ones
CREATE TEMP TABLE p_key (name TEXT, key TEXT, value INTEGER, PRIMARY KEY (name, key)) WITHOUT ROWID;
CREATE TEMP TABLE p_range (name TEXT, lo INTEGER, hi INTEGER, value INTEGER);
INSERT INTO p_key
SELECT DISTINCT name, key,
       (SELECT q.value FROM param q
         WHERE q.name = e.name AND q.key = e.key AND q.from_date <= (SELECT as_of FROM cfg)
         ORDER BY q.from_date DESC LIMIT 1)
FROM param e WHERE key IS NOT NULL;
-- 低保标准 (household.region.dibao_line): civil affairs' region table, the
-- row of each region in force on the as-of date; a region with no row, or
-- none in force yet, has none
INSERT INTO p_key
SELECT DISTINCT '低保标准', region_code,
       (SELECT CASE WHEN typeof(q.dibao_line_fen) = 'integer' THEN q.dibao_line_fen END
          FROM civil_affairs.region q
         WHERE q.region_code = e.region_code AND q.from_date <= (SELECT as_of FROM cfg)
         ORDER BY q.from_date DESC LIMIT 1)
FROM civil_affairs.region e WHERE region_code IS NOT NULL;
INSERT INTO p_range
SELECT DISTINCT name, key_lo, key_hi,
       (SELECT q.value FROM param q
         WHERE q.name = e.name AND q.key IS NULL AND q.key_lo = e.key_lo AND q.key_hi = e.key_hi
           AND q.from_date <= (SELECT as_of FROM cfg)
         ORDER BY q.from_date DESC LIMIT 1)
FROM param e WHERE key IS NULL;

-- The longest run of consecutive months in each of the 4096 sets of months
-- a 12-month window can have (bit k: the window's k-th month)
CREATE TEMP TABLE longest_run (mask INTEGER PRIMARY KEY, run INTEGER);
INSERT INTO longest_run
WITH RECURSIVE mask (m) AS (
  SELECT 0 UNION ALL SELECT m + 1 FROM mask WHERE m < 4095
), walk (m, k, cur, best) AS (
  SELECT m, 0, 0, 0 FROM mask
  UNION ALL
  SELECT m, k + 1, CASE WHEN (m >> k) & 1 THEN cur + 1 ELSE 0 END,
         max(best, CASE WHEN (m >> k) & 1 THEN cur + 1 ELSE 0 END)
  FROM walk WHERE k < 12
)
SELECT m, best FROM walk WHERE k = 12;

-- The per-person results of the records tables, and the household decisions
-- (1 eligible, 0 not, NULL undetermined) that person policies refer to:
-- filled in by the evaluation, keyed for its lookups
CREATE TEMP TABLE contrib (person_id TEXT PRIMARY KEY, sum12 INTEGER, months12 INTEGER,
                           run12 INTEGER) WITHOUT ROWID;
CREATE TEMP TABLE bills (person_id TEXT PRIMARY KEY, sum12 INTEGER) WITHOUT ROWID;
CREATE TEMP TABLE household_decision (
  hh_id TEXT PRIMARY KEY, line INTEGER, dibao_e INTEGER, dibao_amt INTEGER,
  tekun_e INTEGER, tekun_amt INTEGER, gongzufang_e INTEGER, linshi_e INTEGER,
  linshi_amt INTEGER) WITHOUT ROWID;

-- Every person's facts as the policies see them, read in person id order
-- (the order of every department's table, so that each lookup lands next
-- to the one before): the registry's, then two views that join what the
-- household aggregates and the person policies read.
CREATE TEMP VIEW person_now AS
SELECT person_id, hh_id, relation_code, marital_code,
       -- age(birth_date): full years to the as-of date (29 February reached on 1 March)
       CASE WHEN birth_date IS NULL THEN NULL
            WHEN birth_date <= (SELECT as_of FROM cfg)
              THEN (SELECT a_year FROM cfg) - CAST(substr(birth_date, 1, 4) AS INTEGER)
                   - ((SELECT a_md FROM cfg) < substr(birth_date, 6))
            ELSE (SELECT a_year FROM cfg) - CAST(substr(birth_date, 1, 4) AS INTEGER)
                 + ((SELECT a_md FROM cfg) > substr(birth_date, 6))
       END AS age,
       -- deceased: fresh within 31 days of the row's updated_on
       CASE WHEN updated_on >= (SELECT deceased_fresh_from FROM cfg) THEN
         CASE WHEN typeof(deceased) = 'integer' AND deceased IN (0, 1) THEN deceased
              WHEN deceased IN ('1', 'true', 't', 'yes', 'y', '是') THEN 1
              WHEN deceased IN ('0', 'false', 'f', 'no', 'n', '否') THEN 0 END
       END AS dec,
       CASE WHEN local_hukou IN (0, 1) THEN local_hukou END AS hukou,
       CASE WHEN typeof(residence_years) = 'integer' THEN residence_years END AS res_years
FROM registry.person NOT INDEXED;   -- in rowid (= id) order, not by household

-- what the household aggregates read of each member
CREATE TEMP VIEW member_fact AS
SELECT p.hh_id, p.age, p.dec, p.hukou,
       -- marital: registry and civil affairs, a conflict is unknown
       CASE WHEN mr.label IS NULL THEN mc.label
            WHEN mc.label IS NULL OR mc.label = mr.label THEN mr.label END AS marital,
       CASE WHEN typeof(i.amount_fen) = 'integer' THEN i.amount_fen END AS income,
       -- monthly(medical_selfpay): a twelfth, half away from zero
       CASE WHEN typeof(s.amount_fen) = 'integer' THEN
         CASE WHEN s.amount_fen >= 0 THEN (2 * s.amount_fen + 12) / 24
              ELSE -((2 * -s.amount_fen + 12) / 24) END END AS selfpay_m,
       CASE WHEN a.supporter_able IN (0, 1) THEN a.supporter_able END AS supporter,
       CASE WHEN typeof(d.grade) = 'integer' THEN d.grade END AS grade,
       dk.label AS kind,
       coalesce(rc.months12, 0) AS c_months12,
       coalesce(rb.sum12, 0) AS b_sum12
FROM person_now p
LEFT JOIN code_map mr ON mr.codeset = 'marital' AND mr.source = 'registry' AND mr.raw = p.marital_code
LEFT JOIN civil_affairs.marriage m ON m.person_id = p.person_id
LEFT JOIN code_map mc ON mc.codeset = 'marital' AND mc.source = 'civil_affairs' AND mc.raw = m.marital_code
LEFT JOIN social_security.income i ON i.person_id = p.person_id
LEFT JOIN medical_insurance.selfpay s ON s.person_id = p.person_id
LEFT JOIN civil_affairs.assistance a ON a.person_id = p.person_id
LEFT JOIN disability_federation.certificate d ON d.person_id = p.person_id
LEFT JOIN code_map dk ON dk.codeset = 'disability_kind' AND dk.source = 'disability_federation' AND dk.raw = d.kind_code
LEFT JOIN contrib rc ON rc.person_id = p.person_id
LEFT JOIN bills rb ON rb.person_id = p.person_id;

-- what the person policies read
CREATE TEMP VIEW person_fact AS
SELECT p.hh_id, p.person_id, p.age, p.dec, p.hukou, p.res_years,
       rel.label AS relation,
       CASE WHEN typeof(s.amount_fen) = 'integer' THEN s.amount_fen END AS selfpay,
       sc.label AS school,
       CASE WHEN typeof(d.grade) = 'integer' THEN d.grade END AS grade,
       dk.label AS kind,
       CASE WHEN e.hard_to_employ IN (0, 1) THEN e.hard_to_employ END AS hard,
       CASE WHEN e.flexible_employed IN (0, 1) THEN e.flexible_employed END AS flex,
       coalesce(rc.sum12, 0) AS c_sum12, coalesce(rc.months12, 0) AS c_months12,
       coalesce(rc.run12, 0) AS c_run12,
       CASE WHEN typeof(t.wage_fen) = 'integer' THEN t.wage_fen END AS wage,
       CASE WHEN typeof(t.social_insurance_fen) = 'integer' THEN t.social_insurance_fen END AS si,
       CASE WHEN typeof(x.children_edu) = 'integer' THEN x.children_edu END AS children_edu,
       CASE WHEN typeof(x.infants) = 'integer' THEN x.infants END AS infants,
       CASE WHEN x.housing_loan IN (0, 1) THEN x.housing_loan END AS loan,
       CASE WHEN x.renting IN (0, 1) THEN x.renting END AS renting,
       (SELECT value FROM p_key WHERE name = '住房租金扣除' AND key = ct.label) AS rent_deduction,
       CASE WHEN x.supports_elderly IN (0, 1) THEN x.supports_elderly END AS supports,
       CASE WHEN x.only_child IN (0, 1) THEN x.only_child END AS only_child,
       CASE WHEN typeof(x.elderly_share_fen) = 'integer' THEN x.elderly_share_fen END AS share,
       (SELECT value FROM p_range WHERE name = '护理补贴标准'
          AND CASE WHEN typeof(d.grade) = 'integer' THEN d.grade END BETWEEN lo AND hi) AS hl_amt,
       (SELECT value FROM p_range WHERE name = '高龄津贴标准' AND p.age BETWEEN lo AND hi) AS gl_amt,
       (SELECT value FROM p_key WHERE name = '教育资助标准' AND key = sc.label) AS jy_amt
FROM person_now p
LEFT JOIN code_map rel ON rel.codeset = 'relation' AND rel.source = 'registry' AND rel.raw = p.relation_code
LEFT JOIN medical_insurance.selfpay s ON s.person_id = p.person_id
LEFT JOIN civil_affairs.schooling g ON g.person_id = p.person_id
LEFT JOIN code_map sc ON sc.codeset = 'school_stage' AND sc.source = 'civil_affairs' AND sc.raw = g.stage_code
LEFT JOIN disability_federation.certificate d ON d.person_id = p.person_id
LEFT JOIN code_map dk ON dk.codeset = 'disability_kind' AND dk.source = 'disability_federation' AND dk.raw = d.kind_code
LEFT JOIN social_security.employment e ON e.person_id = p.person_id
LEFT JOIN contrib rc ON rc.person_id = p.person_id
LEFT JOIN tax.annual_return t ON t.person_id = p.person_id
LEFT JOIN tax.deduction x ON x.person_id = p.person_id
LEFT JOIN code_map ct ON ct.codeset = 'city_tier' AND ct.source = 'tax' AND ct.raw = x.city_tier;

-- 一站式结算 (yizhanshi.pol): the deductible, rate and yearly ceiling of
-- basic insurance by region ('*' the default) and hospital level, in fen
-- and percent; the hospital levels of the medical insurance's codes
CREATE TEMP TABLE yz_param (region TEXT, level TEXT, deductible INTEGER, rate INTEGER, ceiling INTEGER,
                            PRIMARY KEY (region, level)) WITHOUT ROWID;
INSERT INTO yz_param VALUES
  ('330100', 'level1', 30000, 90, 40000000), ('330100', 'level2', 60000, 85, 40000000),
  ('330100', 'level3', 80000, 80, 40000000), ('*', 'level1', 40000, 85, 30000000),
  ('*', 'level2', 70000, 80, 30000000), ('*', 'level3', 100000, 75, 30000000);
INSERT INTO code_map VALUES
  ('hospital_level', 'medical_insurance', '1', 'level1'), ('hospital_level', 'medical_insurance', '2', 'level2'),
  ('hospital_level', 'medical_insurance', '3', 'level3');

-- ===========================================================================
-- 2. Evaluation
-- ===========================================================================

-- person.contributions during last 12 months: sum, count_months and
-- longest_run, in one pass over the contribution index (person order):
-- the months with a record as a 12-bit mask, its longest run of 1s looked up
INSERT INTO contrib
  SELECT c.person_id, c.sum12, c.months12, r.run AS run12
  FROM (SELECT person_id, sum(amount_fen) AS sum12, count(DISTINCT month) AS months12,
               sum(DISTINCT 1 << (CAST(substr(month, 1, 4) AS INTEGER) * 12 + CAST(substr(month, 6, 2) AS INTEGER)
                                  - (SELECT w12_ym FROM cfg))) AS mask
        FROM social_security.contribution
        WHERE amount_fen IS NOT NULL
          AND month BETWEEN substr((SELECT w12_lo FROM cfg), 1, 7) AND (SELECT w12_hi FROM cfg)
        GROUP BY person_id) c
  JOIN longest_run r ON r.mask = c.mask;

-- person.medical_bills during last 12 months: sum
INSERT INTO bills
  SELECT person_id, sum(amount_fen) AS sum12
  FROM medical_insurance.bill
  WHERE amount_fen IS NOT NULL
    AND settled_on BETWEEN (SELECT w12_lo FROM cfg) AND (SELECT w12_hi FROM cfg)
  GROUP BY person_id;

-- the household decisions
INSERT INTO household_decision
WITH
-- the aggregates over each household's living members (Kleene's any/all;
-- everything NULL when the living list itself is unknown, one member's
-- deceased unknown)
agg AS (
  SELECT hh_id, count(*) AS listed,
         count(dec) = count(*) AS known_list,
         sum(dec = 0) AS n,
         CASE WHEN sum(dec = 0 AND income IS NULL) = 0 THEN coalesce(sum(CASE WHEN dec = 0 THEN income END), 0) END AS s_income,
         CASE WHEN sum(dec = 0 AND selfpay_m IS NULL) = 0 THEN coalesce(sum(CASE WHEN dec = 0 THEN selfpay_m END), 0) END AS s_selfpay_m,
         sum(CASE WHEN dec = 0 THEN b_sum12 END) AS s_bills12,
         -- all(无劳动能力(m)): age >= 60 or age < 16 or 重度残疾(m)
         CASE WHEN sum(dec = 0 AND unable = 0) > 0 THEN 0
              WHEN sum(dec = 0 AND unable IS NULL) > 0 THEN NULL ELSE 1 END AS all_unable,
         -- all(not m.supporter_able)
         CASE WHEN sum(dec = 0 AND supporter = 1) > 0 THEN 0
              WHEN sum(dec = 0 AND supporter IS NULL) > 0 THEN NULL ELSE 1 END AS no_supporter,
         -- any(m.local_hukou)
         CASE WHEN sum(dec = 0 AND hukou = 1) > 0 THEN 1
              WHEN sum(dec = 0 AND hukou IS NULL) > 0 THEN NULL ELSE 0 END AS any_hukou,
         -- any(count_months(contributions during last 12 months) >= 12)
         CASE WHEN sum(dec = 0 AND c_months12 >= 12) > 0 THEN 1 ELSE 0 END AS any_stable,
         -- all(m.marital is not married and age(m.birth_date) >= 30)
         CASE WHEN sum(dec = 0 AND single30 = 0) > 0 THEN 0
              WHEN sum(dec = 0 AND single30 IS NULL) > 0 THEN NULL ELSE 1 END AS all_single30
  FROM (SELECT hh_id, dec, income, selfpay_m, b_sum12, supporter, hukou, c_months12,
               (age >= 60) OR (age < 16)
                 OR (grade IS NOT NULL AND ((kind IN ('intellectual', 'mental') AND grade <= 3)
                                            OR (kind = 'physical' AND grade <= 2)
                                            OR (kind = 'visual' AND grade = 1))) AS unable,
               (marital <> 'married') AND (age >= 30) AS single30
        FROM member_fact)
  GROUP BY hh_id
),
-- the household's facts.  (OFFSET 0 keeps each of these steps a step of its
-- own: its columns computed once a row, not copied into every later
-- expression.)
hf AS (
  SELECT h.hh_id,
         -- 低保标准: the region's row; 公租房收入线: its entry, else the default
         lr.value AS line,
         CASE WHEN h.region_code IS NULL THEN NULL WHEN gr.key IS NOT NULL THEN gr.value ELSE gd.value END AS gz_line,
         -- household.assets, fresh within 6 months of checked_on
         CASE WHEN typeof(k.assets_fen) = 'integer' AND k.checked_on IS NOT NULL
                   AND printf('%04d-%02d-%02d', (k.ym + 6) / 12, (k.ym + 6) % 12 + 1,
                              min(CAST(substr(k.checked_on, 9, 2) AS INTEGER),
                                  CAST(strftime('%d', printf('%04d-%02d-01', (k.ym + 6) / 12, (k.ym + 6) % 12 + 1),
                                                '+1 month', '-1 day') AS INTEGER)))
                       >= (SELECT as_of FROM cfg)
              THEN k.assets_fen END AS assets,
         CASE WHEN typeof(o.other_housing) = 'integer' AND o.other_housing IN (0, 1) THEN o.other_housing
              WHEN o.other_housing IN ('1', 'true', 't', 'yes', 'y', '是') THEN 1
              WHEN o.other_housing IN ('0', 'false', 'f', 'no', 'n', '否') THEN 0 END AS other_housing,
         CASE WHEN a.listed = 0 THEN 0 WHEN a.known_list THEN a.n END AS n,
         CASE WHEN a.listed = 0 THEN 0 WHEN a.known_list THEN a.s_income END AS s_income,
         CASE WHEN a.listed = 0 THEN 0 WHEN a.known_list THEN a.s_selfpay_m END AS s_selfpay_m,
         CASE WHEN a.listed = 0 THEN 0 WHEN a.known_list THEN coalesce(a.s_bills12, 0) END AS s_bills12,
         CASE WHEN a.listed = 0 THEN 1 WHEN a.known_list THEN a.all_unable END AS all_unable,
         CASE WHEN a.listed = 0 THEN 1 WHEN a.known_list THEN a.no_supporter END AS no_supporter,
         CASE WHEN a.listed = 0 THEN 0 WHEN a.known_list THEN a.any_hukou END AS any_hukou,
         CASE WHEN a.listed = 0 THEN 0 WHEN a.known_list THEN a.any_stable END AS any_stable,
         CASE WHEN a.listed = 0 THEN 1 WHEN a.known_list THEN a.all_single30 END AS all_single30
  FROM (SELECT * FROM agg
        UNION ALL
        -- the households with no member listed: an empty, known list
        SELECT hh_id, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1
        FROM registry.household h
        WHERE NOT EXISTS (SELECT 1 FROM registry.person p WHERE p.hh_id = h.hh_id)) a
  -- (a person whose household is not listed is not in the population)
  JOIN registry.household h ON h.hh_id = a.hh_id
  LEFT JOIN p_key lr ON lr.name = '低保标准' AND lr.key = h.region_code
  LEFT JOIN p_key gr ON gr.name = '公租房收入线' AND gr.key = h.region_code
  LEFT JOIN p_key gd ON gd.name = '公租房收入线' AND gd.key = '*'
  LEFT JOIN (SELECT hh_id, assets_fen, checked_on,
                    CAST(substr(checked_on, 1, 4) AS INTEGER) * 12 + CAST(substr(checked_on, 6, 2) AS INTEGER) - 1 AS ym
             FROM civil_affairs.household_check) k ON k.hh_id = h.hh_id
  LEFT JOIN housing.property o ON o.hh_id = h.hh_id
  LIMIT -1 OFFSET 0
), pc AS (
  SELECT hf.*,
         -- 人均月收入(h): max(income − monthly self-pay, 0) ÷ 人数 (0 when nobody lives)
         CASE WHEN n IS NULL THEN NULL WHEN n = 0 THEN 0
              ELSE (2 * max(s_income - s_selfpay_m, 0) + n) / (2 * n) END AS per_cap,
         -- gongzufang: income ÷ 人数 (no deduction)
         CASE WHEN n IS NULL THEN NULL WHEN n > 0 THEN
              CASE WHEN s_income >= 0 THEN (2 * s_income + n) / (2 * n)
                   ELSE -((2 * -s_income + n) / (2 * n)) END
              ELSE 0 END AS per_cap_gz,
         -- linshi: 认定线 = yearly(income) × 40%
         CASE WHEN s_income * 12 >= 0 THEN (2 * s_income * 12 * 4 + 10) / 20
              ELSE -((2 * -s_income * 12 * 4 + 10) / 20) END AS thr
  FROM hf
  LIMIT -1 OFFSET 0
), own AS (
  SELECT hh_id, line,
         (n > 0) AND (per_cap < line) AND (assets <= 24 * line * n) AND (NOT other_housing) AS dibao_own,
         (line - per_cap) * n AS dibao_amt,
         (n > 0) AND all_unable AND (per_cap < line) AND (assets <= 24 * line * n) AND no_supporter AS tekun_own,
         -- 低保标准 × 130% (half away from zero) × 人数
         ((2 * line * 13 + 10) / 20) * n AS tekun_amt,
         (n > 0) AND (per_cap_gz < gz_line) AND (NOT other_housing)
           AND (any_hukou OR any_stable) AND ((n >= 2) OR all_single30) AS gz_own,
         (s_bills12 > thr) AND (assets <= 24 * line * n) AS linshi_own,
         -- min((医疗负担 − 认定线) × 50%, yearly(低保标准) × 6 ÷ 12)
         min(CASE WHEN s_bills12 - thr >= 0 THEN (2 * (s_bills12 - thr) * 5 + 10) / 20
                  ELSE -((2 * -(s_bills12 - thr) * 5 + 10) / 20) END,
             (2 * line * 12 * 6 + 12) / 24) AS linshi_amt
  FROM pc
  LIMIT -1 OFFSET 0
), tk AS (
  SELECT own.*,
         -- tekun's decision: eligible only with its amount
         CASE WHEN tekun_own = 0 THEN 0 WHEN tekun_own = 1 AND tekun_amt IS NOT NULL THEN 1 END AS tekun_e
  FROM own
  LIMIT -1 OFFSET 0
)
  SELECT hh_id, line,
         -- tekun excludes dibao
         CASE WHEN dibao_own = 0 THEN 0 WHEN tekun_e = 1 THEN 0 WHEN tekun_e IS NULL THEN NULL
              WHEN dibao_own = 1 AND dibao_amt IS NOT NULL THEN 1 END AS dibao_e,
         dibao_amt, tekun_e, tekun_amt, gz_own AS gongzufang_e,
         CASE WHEN linshi_own = 0 THEN 0 WHEN linshi_own = 1 AND linshi_amt IS NOT NULL THEN 1 END AS linshi_e,
         linshi_amt
  FROM tk;

-- the person policies, and every decision that is not "not eligible"
INSERT INTO main.decisions (entity_kind, entity_id, policy, status, amount_fen)
WITH
base AS (
  SELECT f.person_id, f.grade, f.wage, f.si, f.hl_amt, f.gl_amt, f.jy_amt,
         -- canji_shenghuo
         (NOT f.dec) AND (f.grade IS NOT NULL) AND (f.grade <= 2) AND h.dibao_e AS sh_own,
         (2 * h.line * 3 + 10) / 20 AS sh_amt,
         -- canji_huli
         (NOT f.dec) AND (f.grade IS NOT NULL)
           AND ((f.grade <= 2) OR (f.grade = 3 AND f.kind IN ('intellectual', 'mental'))) AS hl_own,
         -- gaoling: the rule, and its exception for non-local centenarians
         (NOT f.dec) AND (f.age >= 80) AND f.hukou AS gl_rule,
         (f.age >= 100) AND (NOT f.hukou) AND (f.res_years >= 5) AND (NOT f.dec) AS gl_exc,
         -- jiaoyu
         (NOT f.dec) AND (f.school <> 'out_of_school') AND (f.relation IN ('child', 'grandchild'))
           AND (h.dibao_e OR h.tekun_e) AS jy_own,
         -- linghuo: before 2025-01-01 the longest run, then the count of months
         (NOT f.dec) AND f.hard AND f.flex
           AND (CASE WHEN (SELECT as_of FROM cfg) < '2025-01-01' THEN f.c_run12 ELSE f.c_months12 END >= 6) AS lh_own,
         (2 * f.c_sum12 * 2 + 3) / 6 AS lh_amt,
         -- zhuanxiang: yearly(子女教育 + 婴幼儿照护 + 住房 + 赡养老人) + 大病医疗
         12 * ((SELECT value FROM p_key WHERE name = '子女教育扣除') * f.children_edu
               + (SELECT value FROM p_key WHERE name = '婴幼儿照护扣除') * f.infants
               + CASE WHEN f.loan IS NULL THEN NULL WHEN f.loan = 1 THEN 100000
                      WHEN f.renting IS NULL THEN NULL
                      WHEN f.renting = 1 THEN f.rent_deduction
                      ELSE 0 END
               + CASE WHEN f.supports IS NULL THEN NULL WHEN f.supports = 0 THEN 0
                      WHEN f.only_child IS NULL THEN NULL
                      WHEN f.only_child = 1 THEN (SELECT value FROM p_key WHERE name = '赡养老人扣除')
                      ELSE min(f.share, ((SELECT value FROM p_key WHERE name = '赡养老人扣除') * 2 + 2) / 4) END)
           + min(max(f.selfpay - 1500000, 0), 8000000) AS zx_total
  FROM person_fact f
  JOIN household_decision h ON h.hh_id = f.hh_id
  LIMIT -1 OFFSET 0
), pd AS (
  SELECT person_id, sh_amt, hl_amt, gl_amt, jy_amt, lh_amt, zx_total, wage, si,
         CASE WHEN sh_own = 0 THEN 0 WHEN sh_own = 1 AND sh_amt IS NOT NULL THEN 1 END AS shenghuo_e,
         CASE WHEN hl_own = 0 THEN 0 WHEN hl_own = 1 AND hl_amt IS NOT NULL THEN 1 END AS huli_e,
         CASE WHEN gl_exc = 1 THEN 1 WHEN gl_exc = 0 THEN gl_rule WHEN gl_rule = 1 THEN 1 END AS gl_own,
         CASE WHEN jy_own = 0 THEN 0 WHEN jy_own = 1 AND jy_amt IS NOT NULL THEN 1 END AS jiaoyu_e,
         CASE WHEN lh_own = 0 THEN 0 WHEN lh_own = 1 AND lh_amt IS NOT NULL THEN 1 END AS linghuo_e,
         zx_total > 0 AS zx_e
  FROM base
  LIMIT -1 OFFSET 0
), gs AS (
  SELECT pd.*,
         CASE WHEN gl_own = 0 THEN 0 WHEN gl_own = 1 AND gl_amt IS NOT NULL THEN 1 END AS gaoling_e,
         -- 应纳税所得额 = annual_wage − yearly(5000) − social_insurance_paid − 专项附加扣除
         wage - 6000000 - si - CASE WHEN zx_e = 1 THEN zx_total WHEN zx_e = 0 THEN 0 END AS taxable
  FROM pd
  LIMIT -1 OFFSET 0
),
household_policy (name) AS (VALUES ('dibao'), ('gongzufang'), ('linshi'), ('tekun')),
person_policy (name) AS (
  VALUES ('canji_shenghuo'), ('canji_huli'), ('gaoling'), ('zhuanxiang'), ('geshui'), ('jiaoyu'), ('linghuo')
),
-- every decision: 1 eligible, 0 not, NULL undetermined, and the amount of
-- an eligible one
decision (entity_kind, entity_id, policy, e, amount) AS (
  SELECT 'household', hh_id, y.name,
         CASE y.name WHEN 'dibao' THEN dibao_e WHEN 'gongzufang' THEN gongzufang_e
                     WHEN 'linshi' THEN linshi_e WHEN 'tekun' THEN tekun_e END,
         CASE y.name WHEN 'dibao' THEN dibao_amt WHEN 'linshi' THEN linshi_amt WHEN 'tekun' THEN tekun_amt END
  FROM household_decision CROSS JOIN household_policy y
  UNION ALL
  SELECT 'person', person_id, y.name,
         CASE y.name
           WHEN 'canji_shenghuo' THEN shenghuo_e WHEN 'canji_huli' THEN huli_e
           WHEN 'gaoling' THEN gaoling_e
           -- zhuanxiang and geshui are for taxpayers (known(annual_wage) and annual_wage > 0):
           -- the others are not applicable, stored as the not eligible are not
           WHEN 'zhuanxiang' THEN CASE WHEN wage IS NULL OR wage <= 0 THEN 0 ELSE zx_e END
           WHEN 'geshui' THEN CASE WHEN wage IS NULL OR wage <= 0 THEN 0 ELSE taxable > 0 END
           WHEN 'jiaoyu' THEN jiaoyu_e WHEN 'linghuo' THEN linghuo_e END,
         CASE y.name
           WHEN 'canji_shenghuo' THEN sh_amt WHEN 'canji_huli' THEN hl_amt WHEN 'gaoling' THEN gl_amt
           WHEN 'zhuanxiang' THEN zx_total WHEN 'jiaoyu' THEN jy_amt WHEN 'linghuo' THEN lh_amt
           WHEN 'geshui' THEN
             -- 综合所得税率 (progressive): taxable × rate − quick deduction, half away from zero
             (2 * CASE WHEN taxable <= 3600000  THEN taxable * 3
                       WHEN taxable <= 14400000 THEN taxable * 10 - 252000 * 100
                       WHEN taxable <= 30000000 THEN taxable * 20 - 1692000 * 100
                       WHEN taxable <= 42000000 THEN taxable * 25 - 3192000 * 100
                       WHEN taxable <= 66000000 THEN taxable * 30 - 5292000 * 100
                       WHEN taxable <= 96000000 THEN taxable * 35 - 8592000 * 100
                       ELSE taxable * 45 - 18192000 * 100 END + 100) / 200
         END
  FROM gs CROSS JOIN person_policy y
)
SELECT entity_kind, entity_id, policy,
       CASE WHEN e = 1 THEN 'eligible' ELSE 'undetermined' END,
       CASE WHEN e = 1 THEN amount END
FROM decision
WHERE e IS NOT 0;

-- 一站式结算: each hospital bill of a person in the population, the layers
-- settled in the order of the bills (date, then position in the list),
-- with the year's running totals by window functions over the person's
-- bills of that year.  Basic insurance: the deductible left is the
-- deductible less the year's earlier in-scope costs; the ceiling is
-- reached by the running sum of what each bill would pay without it, so
-- the bill pays min(U, ceiling) - min(U before, ceiling).  A value not
-- known (NULL) anywhere before a bill in the year leaves it unknown.
INSERT INTO main.decisions (entity_kind, entity_id, policy, status, amount_fen, claim)
WITH raw AS (
  -- a NULL cell is that bill's value missing; a value that cannot be used
  -- (a code the map does not list) makes the field unknown in every bill
  -- of the person
  SELECT hb.person_id, hb.rowid AS rid, hb.settled_on, hb.in_scope_fen, lv.label AS level, h.region_code,
         hd.dibao_e OR hd.tekun_e AS assisted,
         max(hb.in_scope_fen IS NOT NULL AND typeof(hb.in_scope_fen) <> 'integer')
           OVER (PARTITION BY hb.person_id) AS bad_amount,
         max(hb.level_code IS NOT NULL AND lv.label IS NULL) OVER (PARTITION BY hb.person_id) AS bad_level
  FROM medical_insurance.hbill hb
  JOIN registry.person p ON p.person_id = hb.person_id
  JOIN household_decision hd ON hd.hh_id = p.hh_id
  JOIN registry.household h ON h.hh_id = p.hh_id
  LEFT JOIN code_map lv ON lv.codeset = 'hospital_level' AND lv.source = 'medical_insurance' AND lv.raw = hb.level_code
), bill AS (
  SELECT r.person_id, substr(r.settled_on, 1, 4) AS yr,
         row_number() OVER (PARTITION BY r.person_id ORDER BY r.rid) AS claim,
         row_number() OVER (PARTITION BY r.person_id ORDER BY r.settled_on, r.rid) AS seq,
         CASE WHEN NOT bad_amount THEN r.in_scope_fen END AS amt,
         CASE WHEN NOT bad_level THEN coalesce(yr.deductible, yd.deductible) END AS ded,
         CASE WHEN NOT bad_level THEN coalesce(yr.rate, yd.rate) END AS rate,
         CASE WHEN r.region_code IS NOT NULL THEN coalesce(yr.ceiling, yd.ceiling) END AS ceiling,
         r.assisted
  FROM raw r
  LEFT JOIN yz_param yr ON yr.region = r.region_code AND yr.level = r.level
  LEFT JOIN yz_param yd ON yd.region = '*' AND yd.level = r.level AND r.region_code IS NOT NULL
), b1 AS (
  SELECT *, max(ded - CASE WHEN count(*) OVER prior > count(amt) OVER prior THEN NULL
                           ELSE coalesce(sum(amt) OVER prior, 0) END, 0) AS ded_left
  FROM bill
  WINDOW prior AS (PARTITION BY person_id, yr ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
), b2 AS (
  SELECT *, CASE WHEN amt > ded_left THEN (2 * (amt - ded_left) * rate + 100) / 200
                 WHEN amt <= ded_left THEN 0 END AS uncapped
  FROM b1
), b3 AS (
  SELECT *, CASE WHEN count(*) OVER upto > count(uncapped) OVER upto THEN NULL
                 ELSE sum(uncapped) OVER upto END AS u_sum
  FROM b2
  WINDOW upto AS (PARTITION BY person_id, yr ORDER BY seq ROWS UNBOUNDED PRECEDING)
), b4 AS (
  SELECT *, min(u_sum - uncapped, ceiling) AS paid_before,
         CASE WHEN amt > ded_left AND ceiling - min(u_sum - uncapped, ceiling) > 0 THEN 1
              WHEN amt <= ded_left OR ceiling - min(u_sum - uncapped, ceiling) <= 0 THEN 0 END AS basic_e
  FROM b3
), b5 AS (
  -- basic insurance's amount: 0 when not eligible, NULL when undetermined
  SELECT *, CASE WHEN basic_e = 1 THEN min(u_sum, ceiling) - paid_before WHEN basic_e = 0 THEN 0 END AS basic
  FROM b4
), c1 AS (
  SELECT *, CASE WHEN count(*) OVER prior > count(amt - basic) OVER prior THEN NULL
                 ELSE coalesce(sum(amt - basic) OVER prior, 0) END AS borne_before
  FROM b5
  WINDOW prior AS (PARTITION BY person_id, yr ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
), c2 AS (
  SELECT *, max(borne_before + amt - basic - 2000000, 0) - max(borne_before - 2000000, 0) AS over
  FROM c1
), c3 AS (
  SELECT *, CASE WHEN over > 0 THEN (2 * over * 60 + 100) / 200 WHEN over <= 0 THEN 0 END AS critical
  FROM c2
), c4 AS MATERIALIZED (
  SELECT *, CASE WHEN assisted = 1 THEN (2 * (amt - basic - critical) * 70 + 100) / 200
                 WHEN assisted = 0 THEN 0 END AS assistance
  FROM c3
)
SELECT 'person', person_id, '基本医保', CASE WHEN basic_e = 1 THEN 'eligible' ELSE 'undetermined' END,
       CASE WHEN basic_e = 1 THEN basic END, claim
FROM c4 WHERE basic_e IS NOT 0
UNION ALL
SELECT 'person', person_id, '大病保险', CASE WHEN over > 0 THEN 'eligible' ELSE 'undetermined' END,
       CASE WHEN over > 0 THEN critical END, claim
FROM c4 WHERE over > 0 OR over IS NULL
UNION ALL
SELECT 'person', person_id, '医疗救助', CASE WHEN assistance IS NOT NULL THEN 'eligible' ELSE 'undetermined' END,
       assistance, claim
FROM c4 WHERE assisted IS NOT 0
UNION ALL
SELECT 'person', person_id, '个人自付', CASE WHEN amt - basic - critical - assistance IS NOT NULL THEN 'eligible'
                                             ELSE 'undetermined' END,
       amt - basic - critical - assistance, claim
FROM c4 WHERE amt >= 0 OR amt IS NULL;
