--[[
  kv-get: the live value of a key (SPEC S2). Reads only.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  ke
  Returns  the bytes, or nil when absent or expired
  Flags    no-writes (it writes nothing, so it still answers when the server is out of memory)
]]
--- @include "common"
--- @include "state"

local value = kv_live(B .. ':kv:' .. ARGV[2], clock_now(ARGV[1]))
if value == nil then return false end
return value
