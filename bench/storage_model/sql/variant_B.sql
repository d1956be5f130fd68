-- Storage-model bench, variant B (applied to a copy of tmpl_a): the outbox keeps a job
-- transition's fields in typed columns and writes no json body (close to what host
-- migration 0004 later shipped; column names differ).
ALTER TABLE jobengine.events
  ALTER COLUMN body DROP NOT NULL,
  ALTER COLUMN body DROP DEFAULT,
  ADD COLUMN job_type text, ADD COLUMN from_status text, ADD COLUMN to_status text,
  ADD COLUMN reason text, ADD COLUMN attempt int, ADD COLUMN lease_id uuid,
  ADD COLUMN payload_digest text, ADD COLUMN actor text, ADD COLUMN data json;
