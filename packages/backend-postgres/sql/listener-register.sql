-- listener-register: records that this listener wants notifications of (tenant, topic) pairs, so
-- that statements send them (SPEC E19).
-- Parameters: $1 tenant_ids (text[]), $2 topics (text[]), $3 listener_id
-- Returns: nothing.
INSERT INTO {schema}.listeners (tenant_id, topic, listener_id, heartbeat_at)
SELECT r.tenant_id, r.topic, $3, clock_timestamp()
FROM unnest($1::text[], $2::text[]) AS r(tenant_id, topic)
ON CONFLICT (tenant_id, topic, listener_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
