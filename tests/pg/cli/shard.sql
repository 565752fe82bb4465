-- tests/pg/cli/shard.sql -- keep only shard :shard of :nodes: the households
-- huimin.shard_of gives it, and every row of theirs and of their members
DELETE FROM civil.contribution c USING registry.person p
  WHERE p.person_id = c.person_id AND huimin.shard_of(p.hh_id, :nodes) <> :shard;
DELETE FROM civil.income i USING registry.person p
  WHERE p.person_id = i.person_id AND huimin.shard_of(p.hh_id, :nodes) <> :shard;
DELETE FROM civil.hh WHERE huimin.shard_of(hh_id, :nodes) <> :shard;
DELETE FROM registry.person WHERE huimin.shard_of(hh_id, :nodes) <> :shard;
DELETE FROM registry.household WHERE huimin.shard_of(hh_id, :nodes) <> :shard;
