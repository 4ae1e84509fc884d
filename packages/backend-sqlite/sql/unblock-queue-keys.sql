-- unblock-queue-keys: Every key of a queue goes back to the fair order when its keyConcurrency
-- changes, to be judged again at the front. O(keys of the queue), on a rare operator call.
-- Parameters: tenant, queue.
-- Returns: nothing.
UPDATE {{concurrency_keys}} SET blocked = 0 WHERE tenant = ? AND queue = ? AND blocked = 1
