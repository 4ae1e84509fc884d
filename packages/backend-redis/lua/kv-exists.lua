--[[
  kv-exists: whether a live value exists (SPEC S2). Reads only.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  ke
  Returns  1 or 0
  Flags    no-writes (it writes nothing, so it still answers when the server is out of memory)
]]
--- @include "common"
--- @include "state"

if kv_live(B .. ':kv:' .. ARGV[2], clock_now(ARGV[1])) == nil then return 0 end
return 1
