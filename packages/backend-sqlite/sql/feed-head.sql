-- feed-head: The newest feed position.
-- Parameters: none.
-- Returns: { seq } (0 when the feed is empty).
SELECT coalesce(max(seq), 0) AS seq FROM {{notifications}}
