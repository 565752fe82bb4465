-- huimin.sql -- the extension's schema: packs, the results of runs (the
-- same tables and view as a results database, batch/results.c), and the
-- functions (docs/postgres.md).
\echo Use "CREATE EXTENSION huimin CASCADE" to load this file. \quit

-- ---- packs ------------------------------------------------------------------
CREATE TABLE huimin.packs(
  name text PRIMARY KEY,
  hash text NOT NULL,
  bytes bytea NOT NULL,
  policies int NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now());

-- ---- results: as the results database's tables ------------------------------
CREATE SEQUENCE huimin.run_ids;

CREATE TABLE huimin.runs(
  run_id bigint PRIMARY KEY, as_of date NOT NULL, pack_hash text NOT NULL,
  started text NOT NULL, finished text, config text, households bigint, persons bigint,
  reasons int, settled int, config_text text, config_sets text, huimin_version text,
  store text);
CREATE TABLE huimin.run_policies(
  run_id bigint NOT NULL, policy int NOT NULL, name text NOT NULL, label text,
  entity_kind text NOT NULL, period int, PRIMARY KEY(run_id, policy));
CREATE TABLE huimin.run_reasons(
  run_id bigint NOT NULL, reason int NOT NULL, text text NOT NULL,
  PRIMARY KEY(run_id, reason));
-- entity: run_id * 2^32 + the run's own number of it, unique across runs
CREATE TABLE huimin.run_entities(
  entity bigint PRIMARY KEY, run_id bigint NOT NULL, kind text NOT NULL, id text NOT NULL,
  household bigint);
CREATE TABLE huimin.decision_rows(
  run_id bigint NOT NULL, entity bigint NOT NULL, policy int NOT NULL,
  status int NOT NULL, amount_fen bigint, reason int, missing text, message text,
  claim int);
-- BRIN: the table is only appended to, in run order
CREATE INDEX decision_rows_run ON huimin.decision_rows USING brin (run_id);
CREATE TABLE huimin.data_issues(
  run_id bigint NOT NULL, source text, entity_kind text, entity_id text, field text,
  issue text NOT NULL, detail text);
CREATE TABLE huimin.run_sources(
  run_id bigint NOT NULL, source text NOT NULL, plugin text NOT NULL, isolate text NOT NULL,
  identity text, PRIMARY KEY(run_id, source));
CREATE TABLE huimin.run_not_eligible(
  run_id bigint NOT NULL, policy int NOT NULL, reason int, count bigint NOT NULL);
CREATE TABLE huimin.run_not_applicable(
  run_id bigint NOT NULL, policy int NOT NULL, count bigint NOT NULL,
  PRIMARY KEY(run_id, policy));

-- a run with runs.store = 'answers' has no not eligible or not applicable rows but those
-- of the ids it kept: run_not_eligible and run_not_applicable count them all
CREATE VIEW huimin.decisions AS
  SELECT d.run_id, e.kind AS entity_kind, e.id AS entity_id, h.id AS household_id,
         p.name AS policy,
         CASE d.status WHEN 1 THEN 'eligible' WHEN 2 THEN 'not_eligible'
                       WHEN 4 THEN 'not_applicable' ELSE 'undetermined' END AS status,
         d.amount_fen,
         CASE WHEN d.amount_fen IS NULL THEN NULL WHEN p.period = 1 THEN 'month'
              WHEN p.period = 2 THEN 'year' WHEN p.period = 0 THEN 'once' END AS amount_period,
         r.text AS reason, d.message, d.missing, d.claim
  FROM huimin.decision_rows d
  JOIN huimin.run_entities e ON e.entity = d.entity
  LEFT JOIN huimin.run_entities h ON h.entity = e.household
  JOIN huimin.run_policies p ON p.run_id = d.run_id AND p.policy = d.policy
  LEFT JOIN huimin.run_reasons r ON r.run_id = d.run_id AND r.reason = d.reason;

-- ---- functions ----------------------------------------------------------------
CREATE FUNCTION huimin.load_pack(name text, pack bytea) RETURNS text
  AS 'MODULE_PATHNAME', 'huimin_load_pack' LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION huimin.evaluate(pack text, household jsonb, as_of date DEFAULT NULL)
  RETURNS TABLE(policy text, entity text, member int, member_id text, claim int, status text,
                amount_fen bigint, period text, reason text, missing text[])
  AS 'MODULE_PATHNAME', 'huimin_evaluate' LANGUAGE C CALLED ON NULL INPUT STABLE PARALLEL SAFE
  ROWS 20;

CREATE FUNCTION huimin.run(pack text, config text, as_of date DEFAULT NULL, reasons boolean DEFAULT false,
                           store text DEFAULT NULL) RETURNS bigint
  AS 'MODULE_PATHNAME', 'huimin_run' LANGUAGE C CALLED ON NULL INPUT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION huimin.shard_of(household_id text, nodes int) RETURNS int
  AS 'MODULE_PATHNAME', 'huimin_shard_of' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

-- Nothing is granted to PUBLIC but evaluating and sharding: a pack decides
-- benefits, and a run reads whatever tables its configuration names.
REVOKE ALL ON ALL TABLES IN SCHEMA huimin FROM PUBLIC;
REVOKE ALL ON FUNCTION huimin.load_pack(text, bytea) FROM PUBLIC;
REVOKE ALL ON FUNCTION huimin.run(text, text, date, boolean, text) FROM PUBLIC;
