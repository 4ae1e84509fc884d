-- select-signal-key: The live signal a signal idempotency key names.
-- Parameters: tenant, key, now.
-- Returns: { signal_id } or none.
SELECT signal_id FROM {{signal_keys}} WHERE tenant = ? AND key = ? AND expires_at > ?
