-- cluster.sql -- one run across several nodes (huimin.run_cluster).
--
-- Households are spread over the nodes by huimin.shard_of; every node runs
-- huimin.run over its own shard inside a transaction that is rolled back,
-- and the coordinator records the one run from the rows each node wrote
-- (docs/scale.md).  Runs in the extension's script, after huimin.sql: the
-- search path is then the extension's schema and dblink's, which the
-- functions below keep (SET search_path FROM CURRENT) so that a caller's
-- path cannot redirect them.

-- where a node is, for messages: the host of a connection string, never
-- its password or user
CREATE FUNCTION huimin.cluster_node_host(conninfo text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path FROM CURRENT
AS $$
  SELECT coalesce(
    CASE WHEN conninfo ~* '^postgres(ql)?://'
         THEN nullif(substring(conninfo FROM '^[^:]+://(?:[^@/?]*@)?([^/?]*)'), '') END,
    substring(conninfo FROM '(?:^|\s)host\s*=\s*''((?:[^''\\]|\\.)*)'''),
    substring(conninfo FROM '(?:^|\s)host\s*=\s*([^''\s]\S*)'),
    substring(conninfo FROM '(?:^|\s)hostaddr\s*=\s*([^''\s]\S*)'),
    'the default host')
$$;

-- the columns of one of the coordinator's results tables: a select list,
-- and the same as a column definition list for dblink (the nodes run the
-- same version of the extension, checked before the run)
CREATE FUNCTION huimin.cluster_columns(tab text, OUT names text, OUT defs text)
LANGUAGE sql STABLE
SET search_path FROM CURRENT
AS $$
  SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum),
         string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
  FROM pg_attribute a
  WHERE a.attrelid = ('huimin.' || quote_ident(tab))::regclass AND a.attnum > 0 AND NOT a.attisdropped
$$;

-- copy one table's rows of a node's run into the coordinator's run:
-- run_id replaced, entity numbers shifted by delta, sources named by node
CREATE FUNCTION huimin.cluster_copy(conn text, tab text, node_run bigint, run bigint, delta bigint, node int)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path FROM CURRENT
AS $$
DECLARE
  c record;
  exprs text[] := '{}';
  n bigint;
BEGIN
  FOR c IN SELECT a.attname AS name FROM pg_attribute a
           WHERE a.attrelid = ('huimin.' || quote_ident(tab))::regclass AND a.attnum > 0 AND NOT a.attisdropped
           ORDER BY a.attnum LOOP
    exprs := exprs || CASE
      WHEN c.name = 'run_id' THEN run::text
      WHEN c.name IN ('entity', 'household') AND tab IN ('run_entities', 'decision_rows')
        THEN format('t.%I + %s', c.name, delta)
      WHEN c.name = 'source' AND tab = 'run_sources' THEN format('t.source || %L', '@node' || node)
      ELSE format('t.%I', c.name) END;
  END LOOP;
  EXECUTE format('INSERT INTO huimin.%I (%s) SELECT %s FROM dblink(%L, %L) AS t(%s)',
                 tab, (huimin.cluster_columns(tab)).names, array_to_string(exprs, ', '), conn,
                 format('SELECT %s FROM huimin.%I WHERE run_id = %s', (huimin.cluster_columns(tab)).names,
                        tab, node_run),
                 (huimin.cluster_columns(tab)).defs);
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;

-- one node's rows of a small table of its run, as a json array (for
-- comparing and summing)
CREATE FUNCTION huimin.cluster_rows(conn text, tab text, node_run bigint, order_by text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE
SET search_path FROM CURRENT
AS $$
DECLARE
  j jsonb;
BEGIN
  SELECT t.j INTO j FROM dblink(conn,
    format('SELECT coalesce(jsonb_agg(to_jsonb(r) - ''run_id'' ORDER BY %s), ''[]'') FROM huimin.%I r WHERE run_id = %s',
           order_by, tab, node_run)) AS t(j jsonb);
  RETURN j;
END
$$;

CREATE FUNCTION huimin.run_cluster(pack text, config text, nodes text[], as_of date DEFAULT NULL,
                                   reasons boolean DEFAULT false, store text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path FROM CURRENT
AS $$
DECLARE
  n int := coalesce(array_length(nodes, 1), 0);
  tag text := 'huimin_cluster_' || pg_backend_pid() || '_' || substr(md5(random()::text || clock_timestamp()::text), 1, 8);
  conns text[] := '{}';
  busy boolean[];
  node_runs bigint[];
  at int := NULL;         -- the node an error concerns, NULL: none
  bytes bytea;
  version text;
  node_version text;
  node_id text;
  node_ids text[] := '{}';
  stage int;
  q text;
  k int;
  v text;
  pending int;
  run bigint;
  delta bigint;
  offset_ bigint := 0;
  span bigint;
  rj jsonb;
  r0 jsonb;
  runs_rows jsonb := '[]';
  not_eligible jsonb := '[]';
  not_applicable jsonb := '[]';
  policies0 jsonb;
  reasons0 jsonb;
  one huimin.runs;
  st text;
  msg text;
  det text;
  hnt text;
  t_start timestamptz := clock_timestamp();
  t_connected timestamptz;
  t_ran timestamptz;
BEGIN
  IF n = 0 THEN
    RAISE EXCEPTION 'huimin.run_cluster: no nodes: give one connection string per node'
      USING ERRCODE = '22023';
  ELSIF array_position(nodes, NULL) IS NOT NULL THEN
    RAISE EXCEPTION 'huimin.run_cluster: node % has no connection string', array_position(nodes, NULL) - 1
      USING ERRCODE = '22023';
  END IF;
  IF array_lower(nodes, 1) <> 1 OR array_ndims(nodes) <> 1 THEN
    RAISE EXCEPTION 'huimin.run_cluster: nodes must be a one-dimensional array from 1'
      USING ERRCODE = '22023';
  END IF;
  SELECT p.bytes INTO bytes FROM huimin.packs p WHERE p.name = pack;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'huimin.run_cluster: there is no pack "%" in huimin.packs', pack
      USING ERRCODE = '42704', HINT = 'Load it with huimin.load_pack(name, bytes).';
  END IF;
  SELECT e.extversion INTO version FROM pg_extension e WHERE e.extname = 'huimin';
  busy := array_fill(false, ARRAY[n]);
  node_runs := array_fill(NULL::bigint, ARRAY[n]);

  BEGIN
    -- every node reachable and with the extension before anything runs
    FOR k IN 1 .. n LOOP
      at := k;
      PERFORM dblink_connect(tag || '_' || (k - 1), nodes[k]);
      conns := conns || (tag || '_' || (k - 1));
      -- a database is known by its server's start and its name: one listed
      -- twice would count its households twice
      SELECT t.v, t.id INTO node_version, node_id
        FROM dblink(conns[k], 'SELECT (SELECT extversion FROM pg_extension WHERE extname = ''huimin''),
                                      pg_postmaster_start_time()::text || '' '' || current_database()')
             AS t(v text, id text);
      IF array_position(node_ids, node_id) IS NOT NULL THEN
        RAISE EXCEPTION 'the same database as node %', array_position(node_ids, node_id) - 1
          USING ERRCODE = '22023', HINT = 'List each node once.';
      END IF;
      node_ids := node_ids || node_id;
      -- this very database as a node: its load_pack would wait for ever
      -- on a pack row this transaction wrote and has not committed
      IF node_id = pg_postmaster_start_time()::text || ' ' || current_database() AND EXISTS (
           SELECT 1 FROM huimin.packs p WHERE p.name = pack
             AND p.xmin::text = (pg_current_xact_id_if_assigned()::text::bigint % 4294967296)::text) THEN
        RAISE EXCEPTION 'this database is a node, and the pack "%" was loaded in this transaction', pack
          USING ERRCODE = '55000', HINT = 'Commit the pack first.';
      END IF;
      IF node_version IS NULL THEN
        RAISE EXCEPTION 'the extension huimin is not installed in this database'
          USING ERRCODE = '42704', HINT = 'CREATE EXTENSION huimin on every node.';
      ELSIF node_version IS DISTINCT FROM version THEN
        RAISE EXCEPTION 'the extension huimin is version %, the coordinator''s %', node_version, version
          USING ERRCODE = '55000', HINT = 'ALTER EXTENSION huimin UPDATE on every node.';
      END IF;
    END LOOP;
    FOR k IN 1 .. n LOOP
      at := k;
      PERFORM dblink_exec(conns[k], 'BEGIN');
    END LOOP;
    at := NULL;
    t_connected := clock_timestamp();

    -- stage 1 loads the pack, stage 2 runs: sent to every node at once,
    -- then waited for, a node that fails noticed whichever it is
    FOR stage IN 1 .. 2 LOOP
      IF stage = 1 THEN
        q := format('SELECT huimin.load_pack(%L, %L::bytea)', pack, bytes);
      ELSE
        q := format('SELECT huimin.run(%L, %L, %L::date, %L::boolean, %L::text)', pack, config, as_of, reasons, store);
      END IF;
      FOR k IN 1 .. n LOOP
        at := k;
        IF dblink_send_query(conns[k], q) <> 1 THEN
          RAISE EXCEPTION 'could not send the query: %', dblink_error_message(conns[k])
            USING ERRCODE = '08006';
        END IF;
        busy[k] := true;
      END LOOP;
      at := NULL;
      pending := n;
      WHILE pending > 0 LOOP
        FOR k IN 1 .. n LOOP
          CONTINUE WHEN NOT busy[k];
          at := k;
          CONTINUE WHEN dblink_is_busy(conns[k]) = 1;   -- a node gone is not busy: its error follows
          SELECT t.v INTO v FROM dblink_get_result(conns[k]) AS t(v text);
          PERFORM 1 FROM dblink_get_result(conns[k]) AS t(v text);   -- the end of the results
          busy[k] := false;
          pending := pending - 1;
          IF stage = 2 THEN
            node_runs[k] := v::bigint;
          END IF;
        END LOOP;
        at := NULL;
        IF pending > 0 THEN
          PERFORM pg_sleep(0.005);   -- where a cancel or statement_timeout takes effect
        END IF;
      END LOOP;
    END LOOP;

    t_ran := clock_timestamp();

    -- the runs agree: the same pack, date and settings on every node
    FOR k IN 1 .. n LOOP
      at := k;
      SELECT t.j INTO rj FROM dblink(conns[k],
        format('SELECT to_jsonb(r) FROM huimin.runs r WHERE run_id = %s', node_runs[k])) AS t(j jsonb);
      IF rj IS NULL THEN
        RAISE EXCEPTION 'huimin.run returned run % but huimin.runs has no such run', node_runs[k]
          USING ERRCODE = 'XX000';
      END IF;
      IF k = 1 THEN
        r0 := rj;
      ELSIF (rj->>'pack_hash', rj->>'as_of', rj->>'reasons', rj->>'settled', rj->>'store', rj->>'huimin_version')
            IS DISTINCT FROM
            (r0->>'pack_hash', r0->>'as_of', r0->>'reasons', r0->>'settled', r0->>'store', r0->>'huimin_version') THEN
        RAISE EXCEPTION 'the run differs from node 0''s: pack %, as of %, huimin %; node 0: pack %, as of %, huimin %',
          rj->>'pack_hash', rj->>'as_of', rj->>'huimin_version', r0->>'pack_hash', r0->>'as_of', r0->>'huimin_version'
          USING ERRCODE = '55000';
      END IF;
      runs_rows := runs_rows || jsonb_build_array(rj);
      IF k = 1 THEN
        policies0 := huimin.cluster_rows(conns[k], 'run_policies', node_runs[k], 'policy');
        reasons0 := huimin.cluster_rows(conns[k], 'run_reasons', node_runs[k], 'reason');
      ELSIF huimin.cluster_rows(conns[k], 'run_policies', node_runs[k], 'policy') IS DISTINCT FROM policies0
         OR huimin.cluster_rows(conns[k], 'run_reasons', node_runs[k], 'reason') IS DISTINCT FROM reasons0 THEN
        RAISE EXCEPTION 'the run''s policies or reasons differ from node 0''s' USING ERRCODE = '55000';
      END IF;
    END LOOP;
    at := NULL;

    -- the one run: node 0's row with the counts of all, from the first
    -- start to the last finish
    run := nextval('huimin.run_ids');
    one := jsonb_populate_record(NULL::huimin.runs, r0);
    one.run_id := run;
    SELECT sum((j->>'households')::bigint), sum((j->>'persons')::bigint)
      INTO one.households, one.persons FROM jsonb_array_elements(runs_rows) j;
    SELECT min(x.started), max(x.finished) INTO one.started, one.finished
      FROM jsonb_populate_recordset(NULL::huimin.runs, runs_rows) x;
    INSERT INTO huimin.runs SELECT one.*;
    INSERT INTO huimin.run_policies SELECT (jsonb_populate_record(NULL::huimin.run_policies,
      j || jsonb_build_object('run_id', run))).* FROM jsonb_array_elements(policies0) j;
    INSERT INTO huimin.run_reasons SELECT (jsonb_populate_record(NULL::huimin.run_reasons,
      j || jsonb_build_object('run_id', run))).* FROM jsonb_array_elements(reasons0) j;

    -- each node's entities after those of the nodes before it
    FOR k IN 1 .. n LOOP
      at := k;
      SELECT t.span INTO span FROM dblink(conns[k], format(
        'SELECT coalesce(max(entity) - %s::bigint * 4294967296 + 1, 0) FROM huimin.run_entities WHERE run_id = %s',
        node_runs[k], node_runs[k])) AS t(span bigint);
      IF offset_ + span > 4294967296 THEN
        RAISE EXCEPTION 'the run has more than 2^32 entities' USING ERRCODE = '54000';
      END IF;
      delta := (run - node_runs[k]) * 4294967296 + offset_;
      PERFORM huimin.cluster_copy(conns[k], 'run_entities', node_runs[k], run, delta, k - 1);
      PERFORM huimin.cluster_copy(conns[k], 'decision_rows', node_runs[k], run, delta, k - 1);
      PERFORM huimin.cluster_copy(conns[k], 'data_issues', node_runs[k], run, delta, k - 1);
      PERFORM huimin.cluster_copy(conns[k], 'run_sources', node_runs[k], run, delta, k - 1);
      not_eligible := not_eligible || huimin.cluster_rows(conns[k], 'run_not_eligible', node_runs[k], 'policy');
      not_applicable := not_applicable || huimin.cluster_rows(conns[k], 'run_not_applicable', node_runs[k], 'policy');
      offset_ := offset_ + span;
    END LOOP;
    at := NULL;
    INSERT INTO huimin.run_not_eligible (run_id, policy, reason, count)
      SELECT run, x.policy, x.reason, sum(x.count)
      FROM jsonb_populate_recordset(NULL::huimin.run_not_eligible, not_eligible) x
      GROUP BY x.policy, x.reason;
    INSERT INTO huimin.run_not_applicable (run_id, policy, count)
      SELECT run, x.policy, sum(x.count)
      FROM jsonb_populate_recordset(NULL::huimin.run_not_applicable, not_applicable) x
      GROUP BY x.policy;

    -- nothing stays on the nodes
    FOR k IN 1 .. n LOOP
      at := k;
      PERFORM dblink_exec(conns[k], 'ROLLBACK');
      PERFORM dblink_disconnect(conns[k]);
      conns[k] := NULL;
    END LOOP;
    -- as huimin.run reports its phases (huimin.timings)
    IF current_setting('huimin.timings', true) IN ('on', 'true', '1', 'yes') THEN
      RAISE NOTICE 'timings: connect % s, run % s, gather % s, total % s',
        round(extract(epoch FROM t_connected - t_start), 3), round(extract(epoch FROM t_ran - t_connected), 3),
        round(extract(epoch FROM clock_timestamp() - t_ran), 3), round(extract(epoch FROM clock_timestamp() - t_start), 3);
    END IF;
    RETURN run;
  EXCEPTION WHEN query_canceled OR OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
                            hnt = PG_EXCEPTION_HINT;
    -- the nodes still running are cancelled; a closed connection rolls
    -- its node's transaction back
    FOR k IN 1 .. coalesce(array_length(conns, 1), 0) LOOP
      CONTINUE WHEN conns[k] IS NULL;
      BEGIN
        IF busy[k] THEN
          PERFORM dblink_cancel_query(conns[k]);
        END IF;
      EXCEPTION WHEN OTHERS THEN NULL;
      END;
      BEGIN
        PERFORM dblink_disconnect(conns[k]);
      EXCEPTION WHEN OTHERS THEN NULL;
      END;
    END LOOP;
    -- libpq's message of a lost connection runs over several lines: the
    -- first is the message, the rest its detail (but the dropped socket's
    -- "invalid socket", which says nothing)
    IF position(E'\n' IN msg) > 0 THEN
      IF coalesce(det, '') = '' THEN
        det := regexp_replace(substr(msg, position(E'\n' IN msg) + 1), '\s+', ' ', 'g');
        det := nullif(btrim(replace(det, 'invalid socket', '')), '');
      END IF;
      msg := split_part(msg, E'\n', 1);
    END IF;
    IF at IS NOT NULL THEN
      msg := format('node %s (%s): %s', at - 1, huimin.cluster_node_host(nodes[at]), msg);
    END IF;
    msg := 'huimin.run_cluster: ' || msg;
    -- RAISE takes no empty options
    IF coalesce(det, '') = '' AND coalesce(hnt, '') = '' THEN
      RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg;
    ELSIF coalesce(hnt, '') = '' THEN
      RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, DETAIL = det;
    ELSIF coalesce(det, '') = '' THEN
      RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, HINT = hnt;
    ELSE
      RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, DETAIL = det, HINT = hnt;
    END IF;
  END;
END
$$;

REVOKE ALL ON FUNCTION huimin.run_cluster(text, text, text[], date, boolean, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION huimin.cluster_copy(text, text, bigint, bigint, bigint, int) FROM PUBLIC;
REVOKE ALL ON FUNCTION huimin.cluster_rows(text, text, bigint, text) FROM PUBLIC;
