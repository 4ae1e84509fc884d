-- sweep-signal-keys: Forget a tenant's expired signal idempotency keys, at most 1000.
-- Parameters: tenant, now.
-- Returns: nothing.
DELETE FROM {{signal_keys}} WHERE (tenant, key) IN (
  SELECT tenant, key FROM {{signal_keys}} INDEXED BY {{signal_keys_by_expiry}} WHERE tenant = ? AND expires_at <= ? LIMIT 1000)
