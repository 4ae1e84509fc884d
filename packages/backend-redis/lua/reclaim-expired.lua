--[[
  reclaim-expired: retries (with backoff, lastError "lease expired") or dead-letters every expired
  lease of the tenant, oldest expiry first (ties in enqueue order), at most `limit`
  (SPEC E10, E11). Exactly once: the script is atomic, and a reclaimed task leaves the leased index.

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
local expired = redis.call('ZRANGEBYSCORE', B .. ':lx', '-inf', n2s(now), 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(expired) do
  local tid = string.sub(member, 17)
  local t = tkey(tid)
  local outcome = consume_attempt(t, tid, LEASE_EXPIRED_ERROR, true, now)
  redis.call('HSET', t, 'el', 'expired')
  local f = redis.call('HMGET', t, 'qe', 'id')
  emit('lease_expired', f[1], tid, now)
  if outcome == 'retry' then retried[#retried + 1] = f[2] else dead[#dead + 1] = f[2] end
end
publish()
return { retried, dead }
