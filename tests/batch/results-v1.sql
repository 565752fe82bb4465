-- A results database as huimin 0.1.0 before schema version 2 wrote it (run 1 of
-- tests/batch/small.pol over the small city, --reasons): sqlite3 old.db .dump
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE runs(
  run_id INTEGER PRIMARY KEY, as_of TEXT NOT NULL, pack_hash TEXT NOT NULL,
  started TEXT NOT NULL, finished TEXT, config TEXT, households INTEGER, persons INTEGER,
  reasons INTEGER, settled INTEGER);
INSERT INTO runs VALUES(1,'2024-08-01','0b8617632cbcb208cf3ef6b030d4a3cae0190e0c059931c0e923afef2a7b4d0c','2026-12-06T05:31:52Z','2026-12-06T05:31:52Z','small.conf',4,6,1,1);
CREATE TABLE run_policies(
  run_id INTEGER NOT NULL, policy INTEGER NOT NULL, name TEXT NOT NULL, label TEXT,
  entity_kind TEXT NOT NULL, PRIMARY KEY(run_id, policy)) WITHOUT ROWID;
INSERT INTO run_policies VALUES(1,0,'allowance','生活补助','household');
INSERT INTO run_policies VALUES(1,1,'elder','高龄补贴','person');
INSERT INTO run_policies VALUES(1,2,'married_bonus','婚姻状况测试','person');
INSERT INTO run_policies VALUES(1,3,'contributor','缴费测试','person');
CREATE TABLE run_reasons(
  run_id INTEGER NOT NULL, reason INTEGER NOT NULL, text TEXT NOT NULL,
  PRIMARY KEY(run_id, reason)) WITHOUT ROWID;
INSERT INTO run_reasons VALUES(1,1,'small.pol:27: not met');
INSERT INTO run_reasons VALUES(1,2,'small.pol:28: not met: 至少一名在世成员');
INSERT INTO run_reasons VALUES(1,3,'small.pol:29: not met: 人均月收入低于 1000 元');
INSERT INTO run_reasons VALUES(1,4,'small.pol:30: not met: 家庭财产不超过 5 万元');
INSERT INTO run_reasons VALUES(1,5,'small.pol:36: not met');
INSERT INTO run_reasons VALUES(1,6,'small.pol:37: not met: 在世');
INSERT INTO run_reasons VALUES(1,7,'small.pol:38: not met: 年满 80 周岁');
INSERT INTO run_reasons VALUES(1,8,'small.pol:44: not met: 已婚');
INSERT INTO run_reasons VALUES(1,9,'small.pol:48: not met: 至少缴费两个月');
INSERT INTO run_reasons VALUES(1,10,'excluded by allowance (生活补助)');
INSERT INTO run_reasons VALUES(1,11,'excluded by elder (高龄补贴)');
INSERT INTO run_reasons VALUES(1,12,'excluded by married_bonus (婚姻状况测试)');
INSERT INTO run_reasons VALUES(1,13,'excluded by contributor (缴费测试)');
INSERT INTO run_reasons VALUES(1,14,'a runtime error (division by zero or overflow) left it undetermined');
INSERT INTO run_reasons VALUES(1,15,'not met whatever the value of the facts not known, by a condition that depends on them');
CREATE TABLE run_entities(
  entity INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL);
INSERT INTO run_entities VALUES(4294967296,1,'household','H1');
INSERT INTO run_entities VALUES(4294967297,1,'household','H2');
INSERT INTO run_entities VALUES(4294967298,1,'household','H3');
INSERT INTO run_entities VALUES(4294967299,1,'household','H4');
INSERT INTO run_entities VALUES(4294967300,1,'person','P1');
INSERT INTO run_entities VALUES(4294967301,1,'person','P2');
INSERT INTO run_entities VALUES(4294967302,1,'person','P3');
INSERT INTO run_entities VALUES(4294967303,1,'person','P4');
INSERT INTO run_entities VALUES(4294967304,1,'person','P5');
INSERT INTO run_entities VALUES(4294967305,1,'person','P6');
CREATE TABLE decision_rows(
  run_id INTEGER NOT NULL, entity INTEGER NOT NULL, policy INTEGER NOT NULL,
  status INTEGER NOT NULL, amount_fen INTEGER, reason INTEGER, missing TEXT);
INSERT INTO decision_rows VALUES(1,4294967296,0,1,90000,NULL,NULL);
INSERT INTO decision_rows VALUES(1,4294967300,1,1,10000,NULL,NULL);
INSERT INTO decision_rows VALUES(1,4294967300,2,1,NULL,NULL,NULL);
INSERT INTO decision_rows VALUES(1,4294967300,3,2,NULL,9,NULL);
INSERT INTO decision_rows VALUES(1,4294967301,1,1,10000,NULL,NULL);
INSERT INTO decision_rows VALUES(1,4294967301,2,3,NULL,NULL,'person.marital (sources disagree)');
INSERT INTO decision_rows VALUES(1,4294967301,3,2,NULL,9,NULL);
INSERT INTO decision_rows VALUES(1,4294967297,0,2,NULL,3,NULL);
INSERT INTO decision_rows VALUES(1,4294967302,1,2,NULL,7,NULL);
INSERT INTO decision_rows VALUES(1,4294967302,2,2,NULL,8,NULL);
INSERT INTO decision_rows VALUES(1,4294967302,3,1,NULL,NULL,NULL);
INSERT INTO decision_rows VALUES(1,4294967298,0,3,NULL,NULL,'person.deceased (stale)');
INSERT INTO decision_rows VALUES(1,4294967303,1,3,NULL,NULL,'person.deceased (stale)');
INSERT INTO decision_rows VALUES(1,4294967303,2,2,NULL,8,NULL);
INSERT INTO decision_rows VALUES(1,4294967303,3,2,NULL,9,NULL);
INSERT INTO decision_rows VALUES(1,4294967304,1,2,NULL,7,NULL);
INSERT INTO decision_rows VALUES(1,4294967304,2,1,NULL,NULL,NULL);
INSERT INTO decision_rows VALUES(1,4294967304,3,2,NULL,9,NULL);
INSERT INTO decision_rows VALUES(1,4294967299,0,3,NULL,NULL,'person.deceased (unusable value), household.assets (unusable value)');
INSERT INTO decision_rows VALUES(1,4294967305,1,2,NULL,7,NULL);
INSERT INTO decision_rows VALUES(1,4294967305,2,1,NULL,NULL,NULL);
INSERT INTO decision_rows VALUES(1,4294967305,3,3,NULL,NULL,'person.contributions (unusable value)');
CREATE TABLE data_issues(
  run_id INTEGER NOT NULL, source TEXT, entity_kind TEXT, entity_id TEXT, field TEXT,
  issue TEXT NOT NULL, detail TEXT);
INSERT INTO data_issues VALUES(1,'registry','person','P6','person.deceased','bad_value','person.deceased: 7 is not a yes/no value');
INSERT INTO data_issues VALUES(1,'registry','person','P5','person.marital','unknown_code','unknown code "25" for person.marital (code set marital)');
INSERT INTO data_issues VALUES(1,'civil','household','H4','household.assets','bad_value','hh.assets_fen: "abc" is not a whole number of fen');
INSERT INTO data_issues VALUES(1,'civil','person','P6','person.contributions','bad_value','contribution.amount_fen: a record with no value');
INSERT INTO data_issues VALUES(1,'registry','person','P2','person.marital','conflict','person.marital: source registry says 已婚 (married) (as of 2024-07-20), source civil says 离异 (divorced) (as of 2024-07-31)');
CREATE TABLE run_sources(
  run_id INTEGER NOT NULL, source TEXT NOT NULL, plugin TEXT NOT NULL, isolate TEXT NOT NULL,
  PRIMARY KEY(run_id, source)) WITHOUT ROWID;
INSERT INTO run_sources VALUES(1,'civil','/work/wt-old/build/default/plugins/.libs/sqlite.so','none');
INSERT INTO run_sources VALUES(1,'registry','/work/wt-old/build/default/plugins/.libs/sqlite.so','none');
CREATE VIEW decisions AS
  SELECT d.run_id, e.kind AS entity_kind, e.id AS entity_id, p.name AS policy,
         CASE d.status WHEN 1 THEN 'eligible' WHEN 2 THEN 'not_eligible'
                       ELSE 'undetermined' END AS status,
         d.amount_fen, r.text AS reason, d.missing
  FROM decision_rows d
  JOIN run_entities e ON e.entity = d.entity
  JOIN run_policies p ON p.run_id = d.run_id AND p.policy = d.policy
  LEFT JOIN run_reasons r ON r.run_id = d.run_id AND r.reason = d.reason;
COMMIT;
