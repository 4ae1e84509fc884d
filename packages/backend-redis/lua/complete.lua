--[[
  complete: settles the leased task as completed, once (SPEC E7, E5, E16).

  A repeat with the lease that completed the task succeeds and changes nothing (a safe retry after
  a lost reply). Completing releases the blocked dependents whose last pending dependency this was.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  tid
  ARGV[3]  epoch
  ARGV[4]  leaseId (SPEC T4)
  ARGV[5]  result (JSON)
  Returns  1 when this call completed the task, 0 for the idempotent repeat
  Errors   the fence, checked before any write of the call
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
local tid = ARGV[2]
local t = tkey(tid)
local epoch = tonumber(ARGV[3])

settle_timeouts(now)
local fenced, task = fence(t, tid, epoch, ARGV[4], now, 'complete')
if fenced == 'repeat' then return 0 end
if fenced ~= 'ok' then return fenced end

end_lease(t, tid, task, 'completed', now, 'ce', ARGV[3], 'res', ARGV[5])
emit('completed', task.qe, tid, now)
release_dependents(tid, now, task.hd)
publish()
return 1
