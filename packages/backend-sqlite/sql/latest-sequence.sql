-- latest-sequence: A run's latest sequence.
-- Parameters: tenant, run id.
-- Returns: { latest_sequence } or none.
SELECT latest_sequence FROM {{runs}} WHERE tenant = ? AND id = ?
