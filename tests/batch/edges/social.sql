-- social.db of tests/batch/run-edges.sh
CREATE TABLE income(person_id TEXT PRIMARY KEY, amount_fen INTEGER);
INSERT INTO income VALUES ('P1', 80000), ('P3', 70000);
