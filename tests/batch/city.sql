-- registry.db
CREATE TABLE household(hh_id TEXT PRIMARY KEY, region_code TEXT);
CREATE TABLE person(person_id TEXT PRIMARY KEY, hh_id TEXT, birth_date TEXT, deceased INTEGER,
                    marital_code TEXT, updated_on TEXT);
INSERT INTO household VALUES ('H1','330100'),('H2','330100'),('H3','330200'),('H4',NULL);
INSERT INTO person VALUES
 ('P1','H1','1940-01-01',0,'20','2024-07-20'),
 ('P2','H1','1942-05-05',0,'20','2024-07-20'),
 ('P3','H2','1990-01-01',0,'10','2024-07-20'),
 ('P4','H3','1930-03-03',0,'30','2024-01-01'),   -- stale: deceased unknown
 ('P5','H3','1960-03-03',0,'25','2024-07-20'),   -- unknown code
 ('P6','H4','1980-03-03',7,'20','2024-07-20');   -- not a bool
