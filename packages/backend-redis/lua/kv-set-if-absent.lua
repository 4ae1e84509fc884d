--[[
  kv-set-if-absent: stores only when no live value exists; atomic, so of k concurrent attempts
  exactly one wins (SPEC S3).

  KEYS[1]  B, the tenant's base key
  ARGV[1…6] as kv-set
  Returns  1 when stored, 0 when a live value exists
]]
--- @include "common"
--- @include "state"

local now = clock_now(ARGV[1])
local k = B .. ':kv:' .. ARGV[2]
if kv_live(k, now) ~= nil then return 0 end
kv_write(k, ARGV[2], ARGV[3], ARGV[4], now, ARGV[5], ARGV[6])
return 1
