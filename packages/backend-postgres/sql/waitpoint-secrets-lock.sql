-- waitpoint-secrets-lock: takes the tenant's transaction-scoped advisory lock on its waitpoint
-- secrets (SPEC E25): shared by createWaitpoint, which may create the first secret, exclusive by a
-- rotation. So a rotation never meets a first secret that is not committed yet (two current ones
-- would break the unique index), two rotations leave one current secret, and a waitpoint is
-- signed with the secret that is current when it commits.
-- Parameters: $1 lock scope (the schema's), $2 tenant_id, $3 exclusive (boolean), $4 now
-- Returns: one row: now (the time the rest of the transaction uses).
SELECT CASE WHEN $3::boolean THEN pg_advisory_xact_lock(hashtextextended($1 || chr(31) || $2, 0)) IS NULL
            ELSE pg_advisory_xact_lock_shared(hashtextextended($1 || chr(31) || $2, 0)) IS NULL END AS locked,
       {schema}.now_ms($4::bigint) AS now
