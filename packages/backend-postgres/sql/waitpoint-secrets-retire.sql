-- waitpoint-secrets-retire: a rotation's retirement (SPEC E25): the secrets in force get the end
-- of their grace, and those that stopped verifying before now are removed (no token can use them
-- again). The two sets are disjoint: the update's were in force at now.
-- Parameters: $1 now, $2 tenant_id, $3 kids (text[]), $4 valid_until per kid (bigint[])
-- Returns: one row: retired, removed (counts).
WITH retired AS (
  UPDATE {schema}.waitpoint_secrets s
  SET valid_until = r.valid_until
  FROM unnest($3::text[], $4::bigint[]) AS r(kid, valid_until)
  WHERE s.tenant_id = $2 AND s.kid = r.kid
  RETURNING s.kid
),
removed AS (
  DELETE FROM {schema}.waitpoint_secrets
  WHERE tenant_id = $2 AND valid_until <= $1::bigint
  RETURNING kid
)
SELECT (SELECT count(*) FROM retired) AS retired, (SELECT count(*) FROM removed) AS removed
