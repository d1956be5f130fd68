-- scheduler.ts() becomes STABLE so PostgreSQL inlines it into the statements that call it.
--
-- Why: it was declared IMMUTABLE, but its body (to_char of a timestamp) is only STABLE, and
-- PostgreSQL refuses to inline a SQL function whose body is more volatile than its declaration.
-- Every call then ran as a separate function invocation: measured with bench/profile/run.sh,
-- 80,400 calls in one throughput bench (each claimed job's leaseUntil, twice), ~2 % of the
-- database time of the drain. Nothing indexes ts(), so STABLE is all it needs.
CREATE OR REPLACE FUNCTION scheduler.ts(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
