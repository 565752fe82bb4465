-- the small city's civil affairs (tests/batch/civil.sql) with integer keys,
-- as int-registry.sql numbers them
CREATE TABLE hh2(hh_id INTEGER PRIMARY KEY, assets_fen INTEGER);
INSERT INTO hh2 SELECT CAST(substr(hh_id, 2) AS INTEGER), assets_fen FROM hh;
CREATE TABLE income2(person_id INTEGER PRIMARY KEY, amount_fen INTEGER, marital TEXT);
INSERT INTO income2 SELECT 100 + CAST(substr(person_id, 2) AS INTEGER), amount_fen, marital FROM income;
CREATE TABLE contribution2(person_id INTEGER, month TEXT, amount_fen INTEGER);
INSERT INTO contribution2 SELECT 100 + CAST(substr(person_id, 2) AS INTEGER), month, amount_fen FROM contribution;
DROP TABLE hh;
DROP TABLE income;
DROP TABLE contribution;
ALTER TABLE hh2 RENAME TO hh;
ALTER TABLE income2 RENAME TO income;
ALTER TABLE contribution2 RENAME TO contribution;
