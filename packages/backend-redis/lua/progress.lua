--[[
  progress: records the holder's progress on the task, a fenced write (SPEC E18, E5).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  tid
  ARGV[3]  epoch
  ARGV[4]  leaseId (SPEC T4)
  ARGV[5]  progress (JSON object)
  Returns  1
  Errors   the fence, checked before any write of the call
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
local t = tkey(ARGV[2])
settle_timeouts(now)
local fenced = fence(t, ARGV[2], tonumber(ARGV[3]), ARGV[4], now, 'other')
if fenced ~= 'ok' then return fenced end
redis.call('HSET', t, 'pg', ARGV[5], 'ua', n2s(now))
return 1
