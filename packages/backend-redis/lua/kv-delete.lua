--[[
  kv-delete: removes a value (SPEC S2).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  ke
  ARGV[3]  exe (base64url owning execution, '' = none)
  Returns  1 when a live value was removed, 0 when absent or expired
]]
--- @include "common"
--- @include "state"

local k = B .. ':kv:' .. ARGV[2]
local live = kv_live(k, clock_now(ARGV[1])) ~= nil
redis.call('DEL', k)
if ARGV[3] ~= '' then redis.call('SREM', B .. ':exk:' .. ARGV[3], ARGV[2]) end
if live then return 1 end
return 0
