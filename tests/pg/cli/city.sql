-- tests/pg/cli/city.sql -- the small city of tests/batch (city.sql,
-- civil.sql) in PostgreSQL, every column text as a department's export
-- has it, and 240 more households made up from their numbers so that each
-- of three shards gets a share of every kind of case: old and young,
-- deceased, unknown codes, stale rows, bad values, contributions.
CREATE SCHEMA registry;
CREATE TABLE registry.household(hh_id text PRIMARY KEY, region_code text);
CREATE TABLE registry.person(person_id text PRIMARY KEY, hh_id text, birth_date text, deceased text,
                             marital_code text, updated_on text);
INSERT INTO registry.household VALUES ('H1','330100'),('H2','330100'),('H3','330200'),('H4',NULL);
INSERT INTO registry.person VALUES
 ('P1','H1','1940-01-01','0','20','2024-07-20'),
 ('P2','H1','1942-05-05','0','20','2024-07-20'),
 ('P3','H2','1990-01-01','0','10','2024-07-20'),
 ('P4','H3','1930-03-03','0','30','2024-01-01'),
 ('P5','H3','1960-03-03','0','25','2024-07-20'),
 ('P6','H4','1980-03-03','7','20','2024-07-20');
INSERT INTO registry.household
  SELECT 'G' || i, CASE i % 3 WHEN 0 THEN '330100' WHEN 1 THEN '330200' END FROM generate_series(1, 240) i;
INSERT INTO registry.person
  SELECT 'G' || i || '-' || m, 'G' || i,
         (1930 + (i * 7 + m * 13) % 80) || '-0' || (1 + i % 9) || '-1' || (m % 10),
         CASE WHEN i % 17 = 0 THEN '1' WHEN i % 29 = 0 THEN 'x' ELSE '0' END,
         (ARRAY['10','20','30','40','25'])[1 + (i + m) % 5],
         CASE WHEN i % 11 = 0 THEN '2024-01-01' ELSE '2024-07-20' END
  FROM generate_series(1, 240) i, generate_series(1, 1 + i % 3) m;

CREATE SCHEMA civil;
CREATE TABLE civil.hh(hh_id text PRIMARY KEY, assets_fen text);
CREATE TABLE civil.income(person_id text PRIMARY KEY, amount_fen text, marital text);
CREATE TABLE civil.contribution(person_id text, month text, amount_fen text);
INSERT INTO civil.hh VALUES ('H1','1000000'),('H2','9000000'),('H3','0'),('H4','abc');
INSERT INTO civil.income VALUES ('P1','50000','1'),('P2','60000','3'),('P3','200000','2'),('P4','0','4'),
  ('P5','0','1'),('P6','0','1');
INSERT INTO civil.contribution VALUES ('P3','2024-01','10000'),('P3','2024-02','10000'),('P6','2024-03','5000'),
  ('P6','2024-04',NULL);
INSERT INTO civil.hh
  SELECT 'G' || i, CASE WHEN i % 23 = 0 THEN 'n/a' ELSE ((i * 37) % 80 * 1000)::text END
  FROM generate_series(1, 240) i WHERE i % 13 <> 0;
INSERT INTO civil.income
  SELECT person_id, ((length(person_id) * 9973 + ascii(right(person_id, 1)) * 311) % 150000)::text,
         (ARRAY['1','2','3','4','9'])[1 + length(person_id) % 5]
  FROM registry.person WHERE person_id LIKE 'G%' AND right(person_id, 1) <> '3';
INSERT INTO civil.contribution
  SELECT p.person_id, '2024-0' || k, (5000 * k)::text
  FROM registry.person p, generate_series(1, 3) k
  WHERE p.person_id LIKE 'G%' AND (ascii(right(p.person_id, 2)) + k) % 4 <> 0;
