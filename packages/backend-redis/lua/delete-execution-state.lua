--[[
  delete-execution-state: removes an execution's cached snapshot and every value built by
  executionKey(executionId, …), and nothing else (SPEC S4). The owned values are found through
  their index set, never by a key pattern, so no id can match another execution's keys.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  exe (base64url execution id)
  ARGV[3]  execution id
  Returns  the number of live entries removed (snapshot + values)
]]
--- @include "common"
--- @include "state"

local now = clock_now(ARGV[1])
local removed = 0
local index = B .. ':exk:' .. ARGV[2]
for _, ke in ipairs(redis.call('SMEMBERS', index)) do
  local k = B .. ':kv:' .. ke
  if kv_live(k, now) ~= nil then removed = removed + 1 end
  redis.call('DEL', k)
end
redis.call('DEL', index)
if snapshot_live(ARGV[3], now) ~= nil then removed = removed + 1 end
snapshot_drop(ARGV[3])
return removed
