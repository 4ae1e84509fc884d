-- read-feed: Feed rows after a position, in commit order.
-- Parameters: after seq, limit.
-- Returns: NotificationRow[].
SELECT seq, tenant, kind, task_id, queue, at FROM {{notifications}} WHERE seq > ? ORDER BY seq LIMIT ? + 0
