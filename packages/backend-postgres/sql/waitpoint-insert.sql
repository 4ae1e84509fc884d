-- waitpoint-insert: records a waitpoint issued to a task whose lease the transaction's fence
-- passed (SPEC E25): its fingerprint, never its token.
-- Parameters: $1 now, $2 tenant_id, $3 id, $4 task_id, $5 key, $6 kid, $7 fingerprint, $8 expires_at
-- Returns: nothing.
INSERT INTO {schema}.waitpoints (tenant_id, id, task_id, key, kid, fingerprint, expires_at, created_at)
VALUES ($2, $3, $4, $5, $6, $7, $8::bigint, $1::bigint)
