CREATE TABLE hh(hh_id TEXT PRIMARY KEY, assets_fen INTEGER);
CREATE TABLE income(person_id TEXT PRIMARY KEY, amount_fen INTEGER, marital TEXT);
CREATE TABLE contribution(person_id TEXT, month TEXT, amount_fen INTEGER);
INSERT INTO hh VALUES ('H1',1000000),('H2',9000000),('H3',0),('H4','abc');
INSERT INTO income VALUES ('P1',50000,'1'),('P2',60000,'3'),('P3',200000,'2'),('P4',0,'4'),('P5',0,'1'),('P6',0,'1');
INSERT INTO contribution VALUES ('P3','2024-01',10000),('P3','2024-02',10000),('P6','2024-03',5000),('P6','2024-04',NULL);
