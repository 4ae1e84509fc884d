-- renew-lease: Extend a lease and optionally record progress.
-- Parameters: lease_expires_at, progress (JSON or null to keep), updated_at, seq.
-- Returns: nothing.
UPDATE {{tasks}} SET lease_expires_at = ?, progress = coalesce(?, progress), updated_at = ? WHERE seq = ?
