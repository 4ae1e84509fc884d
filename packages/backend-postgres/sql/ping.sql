-- ping: answers when the server does.
-- Parameters: none
-- Returns: one row (ok = 1)
SELECT 1 AS ok
