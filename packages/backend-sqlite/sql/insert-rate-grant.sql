-- insert-rate-grant: Records one lease granted in a rate-limited queue (E21).
-- Parameters: tenant, queue, granted_at.
-- Returns: nothing.
INSERT INTO {{rate_grants}} (tenant, queue, granted_at) VALUES (?, ?, ?)
