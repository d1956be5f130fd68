-- The outbox body becomes `json` (text kept as written) instead of `jsonb`.
--
-- Why: nothing queries inside the body (readers hand it to C++ as text and parse it there), so
-- jsonb's binary form was pure cost on the hottest write path: every job transition builds a
-- body of ~15 keys, and jsonb construction plus its larger WAL record made the event insert
-- the biggest part of a claim or completion. Measured with bench/throughput (20k no-op jobs,
-- fsync on): the in-process runner drained 4.4-4.8k jobs/s with a jsonb body and 7.0-7.2k
-- with an empty one. Writers now build bodies with json_build_object (plain text); older
-- writers that still produce jsonb are converted by the assignment cast.
ALTER TABLE jobengine.events
  ALTER COLUMN body DROP DEFAULT,
  ALTER COLUMN body TYPE json USING body::json,
  ALTER COLUMN body SET DEFAULT '{}'::json;
