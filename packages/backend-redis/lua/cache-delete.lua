--[[
  cache-delete: removes an execution's cached snapshot (SPEC S1).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  execution id
  Returns  1 when a live snapshot was removed, 0 when absent or expired
]]
--- @include "common"
--- @include "state"

local live = snapshot_live(ARGV[2], clock_now(ARGV[1])) ~= nil
snapshot_drop(ARGV[2])
if live then return 1 end
return 0
