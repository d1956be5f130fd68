-- 0003_reservations.sql — local admission reservations (issue 12: "local batching is welcome
-- where it stays exact"; plugins/ratelimit/docs/reservations.md).
--
-- A replica serving many claims of a job type whose quota is far from its limits takes a block
-- of that quota ahead, in a short transaction of its own under the quota's row lock: `slots`
-- jobs it may lease, and as many tokens taken from the quota's bucket. Its claims then spend
-- the block in memory, with no lock and no write on the quota (limited_types answers the type
-- as covered; the claim is the one-statement claim of an unlimited type). Exactness:
--   * while a reservation row exists, every admission that locks the quota counts its slots as
--     active on top of the jobs the scheduler counts (admission_state_v2), so the block and the
--     jobs leased from it are counted at least once;
--   * a claim that spends a block share-locks its row in its first statement; the row is
--     deleted only by its replica's release (or, once expired, by an admission under the
--     quota lock), and the DELETE waits for those claims to end, so when the row is gone the
--     jobs they leased are committed and counted by the scheduler;
--   * the tokens of a block left unspent go back to the bucket at release (capped at burst);
--     an expired block's unspent tokens are lost (fewer admitted, never more).
CREATE TABLE ratelimit.reservations (
  tenant_id      text        NOT NULL,
  id             uuid        NOT NULL,
  quota_id       uuid        NOT NULL,
  job_type       text        NOT NULL,
  quota_version  bigint      NOT NULL,                  -- a changed quota voids the block
  replica        text        NOT NULL,                  -- who holds it (diagnostics)
  slots          integer     NOT NULL CHECK (slots >= 1),
  tokens         double precision NOT NULL CHECK (tokens >= 0),  -- taken from the bucket
  expires_at     timestamptz NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, quota_id) REFERENCES ratelimit.quotas (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX reservations_key ON ratelimit.reservations (tenant_id, job_type);
CREATE INDEX reservations_quota ON ratelimit.reservations (tenant_id, quota_id);

ALTER TABLE ratelimit.reservations ENABLE ROW LEVEL SECURITY;
ALTER TABLE ratelimit.reservations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ratelimit.reservations
  USING (tenant_id = current_setting('jobengine.tenant', true)
         OR current_setting('jobengine.tenant', true) = 'system')
  WITH CHECK (tenant_id = current_setting('jobengine.tenant', true)
              OR current_setting('jobengine.tenant', true) = 'system');

-- admission_state_v1 (locks and reads the limits of the groups' keys) plus, per key, the
-- slots of the reservations that live: expired ones are deleted first (the DELETE waits for
-- claims still spending them). Called with the quota rows locked by v1, so no reservation of
-- these keys can be taken or released while the caller counts.
CREATE FUNCTION ratelimit.admission_state_v2(input jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SET jit = off AS $$
DECLARE
  result jsonb;
BEGIN
  result := ratelimit.admission_state_v1(input);
  DELETE FROM ratelimit.reservations r
  USING jsonb_to_recordset(input) AS x(tenant text, "jobType" text)
  WHERE r.tenant_id = x.tenant AND r.job_type = x."jobType" AND r.expires_at <= now();
  RETURN result || jsonb_build_object('reserved', COALESCE((
    SELECT jsonb_agg(jsonb_build_object('tenant', s.tenant_id, 'jobType', s.job_type,
                                        'slots', s.slots))
    FROM (SELECT r.tenant_id, r.job_type, sum(r.slots) AS slots
          FROM ratelimit.reservations r
          WHERE (r.tenant_id, r.job_type) IN (
            SELECT DISTINCT x.tenant, x."jobType"
            FROM jsonb_to_recordset(input) AS x(tenant text, "jobType" text))
          GROUP BY r.tenant_id, r.job_type) s), '[]'::jsonb));
END
$$;
