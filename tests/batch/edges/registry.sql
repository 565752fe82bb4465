-- registry.db of tests/batch/run-edges.sh: P1's registry row is as of
-- 2024-07-01, its last fresh day under 31 days is 2024-08-01
CREATE TABLE household(hh_id TEXT PRIMARY KEY);
CREATE TABLE person(person_id TEXT PRIMARY KEY, hh_id TEXT, alive INTEGER, updated_on TEXT);
INSERT INTO household VALUES ('H1'), ('H2');
INSERT INTO person VALUES
  ('P1', 'H1', 1, '2024-07-01'),
  ('P2', 'H1', 1, '2024-07-20'),
  ('P3', 'H2', 1, '2024-07-20'),
  ('P4', 'H2', 1, '2024-07-20'),
  ('P5', 'H2', 1, '2024-07-20');
