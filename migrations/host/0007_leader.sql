-- Leadership (je.leader, DESIGN §6, docs/leader.md): one elected replica per database.
--
-- Election: a replica is leader while its elector's dedicated session holds the session
-- advisory lock 0x4A6F624C656164 ("JobLead"; the migrator's lock is a different key). On
-- gaining the lock, in the same session and transaction, it advances the epoch below and
-- appends a `leader.elected` event. Only that session ever writes this row.
--
-- Fencing: jobengine.leader_epoch_is_current_v1(epoch) (abi.h, "Host SQL functions") share-
-- locks the row and compares. A new leader's `UPDATE ... SET epoch = epoch + 1` needs the row
-- exclusively, so it waits until every transaction that passed the check with the old epoch
-- has committed or rolled back; any check after the update sees the new epoch. So a write
-- fenced with a deposed leader's epoch either committed before the new epoch existed or
-- changes nothing.
--
-- Not tenant data: one row for the whole database, so no tenant_id and no row-level-security
-- policy (docs/storage.md, "Tables without tenant data"), and the fencing function works the
-- same in a transaction bound to any tenant, to "system", or to none. The app role gets the
-- migrator's usual grants; plugins never name the table (abi.h), only the function.
CREATE TABLE jobengine.leader (
  id         boolean     PRIMARY KEY DEFAULT true CHECK (id),  -- at most one row
  epoch      bigint      NOT NULL CHECK (epoch >= 0),          -- 0: nobody was ever elected
  holder     text,                                             -- replica id of the leader
  elected_at timestamptz
);
INSERT INTO jobengine.leader (id, epoch) VALUES (true, 0);

COMMENT ON TABLE jobengine.leader IS
  'The leadership epoch: advanced by each newly elected replica while it holds the advisory '
  'lock 0x4A6F624C656164; plugins fence with jobengine.leader_epoch_is_current_v1(epoch).';

-- VOLATILE because it locks (PostgreSQL refuses FOR SHARE in a STABLE function); needs a
-- read-write transaction for the same reason. NULL compares false, never NULL, so
-- `WHERE ... AND jobengine.leader_epoch_is_current_v1($1)` with a NULL epoch changes nothing.
CREATE FUNCTION jobengine.leader_epoch_is_current_v1(epoch bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  current_epoch bigint;
BEGIN
  SELECT l.epoch INTO current_epoch FROM jobengine.leader l WHERE l.id FOR SHARE;
  RETURN current_epoch IS NOT NULL AND leader_epoch_is_current_v1.epoch IS NOT NULL
         AND current_epoch = leader_epoch_is_current_v1.epoch;
END $$;

COMMENT ON FUNCTION jobengine.leader_epoch_is_current_v1(bigint) IS
  'ABI 1.2: true while epoch is the current leader epoch; share-locks it so a new election '
  'waits for the caller''s commit. Fence a leader-only write with it.';
