--[[
  get-task: the task as it is now (effective state: a queued task reads ready once its runAt has
  come, scheduled before) (SPEC E13, E16).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  tid
  Returns  the task record (tasks.RECORD_FIELDS order) or nil
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
settle_timeouts(now)
local t = tkey(ARGV[2])
if redis.call('EXISTS', t) == 0 then return false end
return task_record(t, now)
