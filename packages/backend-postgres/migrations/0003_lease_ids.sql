-- 0003_lease_ids: every lease carries an unguessable leaseId (SPEC T4).
--
-- Applied as 0001 is (one transaction under pg_advisory_xact_lock, recorded with its SHA-256).
--
-- lease_id is the leaseId of the task's latest lease: set by tasks-claim with every epoch (the
-- client draws one per slot from Node's CSPRNG, core's newLeaseId, and passes them as an array),
-- and kept after the lease ends, in tasks_completed too, so that E7's repeated complete is checked
-- against it. The claim token of 0001 could not serve: one token names a whole claim statement,
-- whose leases go to several workers. NULL before the first lease, and for a lease granted before
-- this migration, which no holder call can then present (core's judgeFence matches a NULL id with
-- nothing): such a lease expires and is reclaimed like any other (E10). Adding a nullable column
-- without a default rewrites no row.
ALTER TABLE {schema}.tasks ADD COLUMN lease_id text;
ALTER TABLE {schema}.tasks_completed ADD COLUMN lease_id text;
