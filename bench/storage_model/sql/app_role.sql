-- Storage-model bench: the role the enqueue and the drain run as. A non-owner, non-superuser
-- login role, so row-level security applies as in production; bound to the cross-tenant
-- 'system' tenant like the engine's in-process runner. Applied to template tmpl_a after the
-- migrations; the other templates are copies of it.
DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app') THEN CREATE ROLE app LOGIN; END IF; END $$;
ALTER ROLE app SET jobengine.tenant = 'system';
GRANT USAGE ON SCHEMA jobengine, scheduler TO app;
GRANT ALL ON ALL TABLES IN SCHEMA jobengine, scheduler TO app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA jobengine, scheduler TO app;
