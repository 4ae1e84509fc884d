-- unblock-expired-keys: Keys whose earliest lease has expired go back to the fair order, to be
-- judged again (an expired lease frees its slot at once, E20). Read from concurrency_keys_blocked.
-- Parameters: tenant, queue, now.
-- Returns: nothing.
UPDATE {{concurrency_keys}} SET blocked = 0 WHERE tenant = ? AND queue = ? AND blocked = 1 AND blocked_until <= ?
