--[[
  reclaim-expired: retries (with backoff, lastError "lease expired") or dead-letters every expired
  lease of the tenant, oldest expiry first (ties in enqueue order), at most `limit`
  (SPEC E10, E11). Exactly once: the call is atomic, and a reclaimed task leaves the leased index.
  The queues that may hold expired leases are those whose lease-expiry bound has come (B:lq).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  limit
  Returns  { retried ids, dead-lettered ids }
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
settle_timeouts(now)

local retried, dead = {}, {}
local queues = redis.call('ZRANGEBYSCORE', B .. ':lq', '-inf', NOW_TEXT)
for _, r in ipairs(reclaim_expired(queues, tonumber(ARGV[2]), now)) do
  if r[2] == 'retry' then retried[#retried + 1] = r[1] else dead[#dead + 1] = r[1] end
end
publish()
return { retried, dead }
