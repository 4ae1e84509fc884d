-- signal-keys-lock: takes transaction-scoped advisory locks on signal keys, in the given order,
-- so that a signal and a suspension on one key take turns: without them, each could miss the
-- other's uncommitted row, leaving a task waiting on a signal that sits in the buffer (SPEC E14, E15).
-- Parameters: $1 lock scope (the schema's), $2 tenant_id, $3 keys (text[], distinct, sorted), $4 now
-- Returns: one row per key, each with now (the time the rest of the transaction uses).
SELECT pg_advisory_xact_lock(hashtextextended($1 || chr(31) || $2 || chr(31) || k.key, 0)) IS NULL AS locked,
       {schema}.now_ms($4::bigint) AS now
FROM unnest($3::text[]) WITH ORDINALITY AS k(key, ord)
ORDER BY k.ord
