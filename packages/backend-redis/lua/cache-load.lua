--[[
  cache-load: an execution's live cached snapshot (SPEC S1). Reads only.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  execution id
  Returns  { sequence, savedAt, state } or nil when absent or expired
  Flags    no-writes (it writes nothing, so it still answers when the server is out of memory)
]]
--- @include "common"
--- @include "state"

local live = snapshot_live(ARGV[2], clock_now(ARGV[1]))
if live == nil then return false end
return live
