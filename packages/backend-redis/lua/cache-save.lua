--[[
  cache-save: saves (overwrites) an execution's cached snapshot (SPEC S1), and purges a bounded
  number of expired ones.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  execution id
  ARGV[3]  sequence
  ARGV[4]  state (JSON)
  ARGV[5]  ttlMs ('' = no TTL)
  Returns  1
]]
--- @include "common"
--- @include "state"

local now = clock_now(ARGV[1])
local id = ARGV[2]
snapshot_purge(now)
local expires = ''
if ARGV[5] ~= '' then
  expires = n2s(now + tonumber(ARGV[5]))
  redis.call('ZADD', B .. ':csx', expires, id)
else
  redis.call('ZREM', B .. ':csx', id)
end
redis.call('HSET', B .. ':cs', id, ARGV[3] .. '|' .. n2s(now) .. '|' .. expires .. '|' .. ARGV[4])
redis.call('ZADD', B .. ':csidx', 0, id)
return 1
