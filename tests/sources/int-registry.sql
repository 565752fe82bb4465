-- the small city's registry (tests/batch/city.sql) with integer keys:
-- household Hn is n, person Pn is 100 + n
CREATE TABLE h2(hh_id INTEGER PRIMARY KEY, region_code TEXT);
INSERT INTO h2 SELECT CAST(substr(hh_id, 2) AS INTEGER), region_code FROM household;
CREATE TABLE p2(person_id INTEGER PRIMARY KEY, hh_id INTEGER, birth_date TEXT, deceased INTEGER,
                marital_code TEXT, updated_on TEXT);
INSERT INTO p2 SELECT 100 + CAST(substr(person_id, 2) AS INTEGER), CAST(substr(hh_id, 2) AS INTEGER),
                      birth_date, deceased, marital_code, updated_on FROM person;
DROP TABLE household;
DROP TABLE person;
ALTER TABLE h2 RENAME TO household;
ALTER TABLE p2 RENAME TO person;
