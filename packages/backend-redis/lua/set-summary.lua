--[[
  set-summary: replaces the summary of the lease's attempt, a fenced write (SPEC E28, E5).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  tid
  ARGV[3]  epoch
  ARGV[4]  leaseId (SPEC T4)
  ARGV[5]  summary (JSON)
  Returns  1
  Errors   the fence, checked before any write of the call
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
local tid = ARGV[2]
local t = tkey(tid)
settle_timeouts(now)
local fenced = fence(t, tid, tonumber(ARGV[3]), ARGV[4], now, 'other')
if fenced ~= 'ok' then return fenced end
redis.call('SET', B .. ':su:' .. tid .. ':' .. redis.call('HGET', t, 'at'), n2s(now) .. '|' .. ARGV[5])
return 1
