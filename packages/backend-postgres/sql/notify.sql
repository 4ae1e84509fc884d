-- notify: sends task events and work notices of one tenant to the backends listening for them
-- (SPEC E19); inside a transaction they are delivered when it commits, and never if it does not.
-- Parameters: $1 channel, $2 tenant_id, $3 kinds ('work' or a task event kind; text[]),
--   $4 queues (text[]), $5 task ids (text[]; null for work), $6 at (bigint)
-- Returns: one row: sent.
SELECT count(*) AS sent
FROM (
  SELECT pg_notify($1, json_build_object('t', $2::text, 'k', e.kind, 'q', e.queue, 'i', e.task_id, 'a', $6::bigint)::text)
  FROM unnest($3::text[], $4::text[], $5::text[]) AS e(kind, queue, task_id)
  WHERE EXISTS (SELECT 1 FROM {schema}.listeners l WHERE l.tenant_id = $2 AND l.topic = e.kind)
) n
