--[[
  delete-run: removes the run with its steps, events and snapshots (SPEC W5).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  re
  Returns  1 when the run existed, else 0
]]
--- @include "common"
--- @include "runs"

return drop_run(ARGV[1])
