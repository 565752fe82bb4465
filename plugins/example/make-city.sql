-- a four-household population for the example configuration
CREATE TABLE household(hh_id TEXT PRIMARY KEY);
CREATE TABLE person(person_id TEXT PRIMARY KEY, hh_id TEXT);
INSERT INTO household VALUES ('H1'), ('H2'), ('H3'), ('H4');
INSERT INTO person VALUES ('P1', 'H1'), ('P2', 'H2'), ('P3', 'H3'), ('P4', 'H4');
