-- Migration 0003: every lease carries an unguessable leaseId (SPEC T4).
--
-- lease_id is the leaseId of the task's latest lease: set by claim with every epoch (from the
-- connection's mooring_lease_id() function, which draws 128 bits from Node's CSPRNG), kept after
-- the lease ends so that E7's repeated complete is checked against it too. It is NULL before the
-- first lease, and for a lease granted before this migration, which no holder call can then
-- present (core's judgeFence matches a NULL id with nothing): such a lease expires and is
-- reclaimed like any other (E10).
ALTER TABLE {{tasks}} ADD COLUMN lease_id TEXT;
