--[[
  move-to-dead-letter: dead-letters the leased task now, consuming its attempt (SPEC E12, E5, E16).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  tid
  ARGV[3]  epoch
  ARGV[4]  leaseId (SPEC T4)
  ARGV[5]  error (JSON), the task's lastError
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

consume_attempt(t, tid, ARGV[5], false, now)
publish()
return 1
