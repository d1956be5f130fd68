-- sources-excititor: its own schema (DESIGN.md §5); tables arrive in later migrations.
CREATE SCHEMA IF NOT EXISTS excititor;
