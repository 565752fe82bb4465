-- civil.db of tests/batch/run-edges.sh: monthly incomes with the date each
-- was measured on, and amounts in yuan as REAL (1.15 is 1.149999… in binary),
-- one with a single decimal, and a whole number (stored as REAL too)
CREATE TABLE income(person_id TEXT PRIMARY KEY, amount_fen INTEGER, measured_on TEXT);
INSERT INTO income VALUES
  ('P1', 50000, '2024-06-01'),   -- stale on 2024-08-01; 社保 says 800.00, fresh
  ('P2', 50000, '2024-06-01'),   -- stale, and 社保 has no value: missing (stale)
  ('P3', 70000, '2024-07-20');   -- fresh, and 社保 agrees
CREATE TABLE pay(person_id TEXT PRIMARY KEY, yuan REAL);
INSERT INTO pay VALUES ('P1', 1.15), ('P2', 19.99), ('P3', 0.29), ('P4', 12.5), ('P5', 7);
