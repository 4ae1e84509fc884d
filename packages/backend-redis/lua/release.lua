--[[
  release: gives the leased task back without consuming an attempt (SPEC E9, E5).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  tid
  ARGV[3]  epoch
  ARGV[4]  leaseId (SPEC T4)
  ARGV[5]  runAt ('' = now)
  Returns  1
  Errors   the fence, checked before any write of the call
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
local tid = ARGV[2]
local t = tkey(tid)

settle_timeouts(now)
local fenced, task = fence(t, tid, tonumber(ARGV[3]), ARGV[4], now, 'other')
if fenced ~= 'ok' then return fenced end

local ra = now
if ARGV[5] ~= '' then ra = tonumber(ARGV[5]) end
end_lease(t, tid, task, 'queued', now, 'ra', n2s(ra))
add_queued(t, tid, task.qe, ra, now)
hint(task.qe)
publish()
return 1
