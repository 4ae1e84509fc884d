--[[
  retry-dead-letter: makes a dead task ready now (SPEC E12). Without resetAttempts the consumed
  attempts stay (one more attempt is granted); with it, counting starts again from attempt 1.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  tid
  ARGV[3]  resetAttempts ('1' or '0')
  Returns  1
  Errors   NOT_FOUND, INVALID_STATE (the task is not dead); before any write of the call
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
local tid = ARGV[2]
local t = tkey(tid)
settle_timeouts(now)

local f = redis.call('HMGET', t, 'st', 'qe', 'ra')
if not f[1] then return reject_with_details('NOT_FOUND', 'task not found', { tid = tid }) end
if f[1] ~= 'dead' then return reject_state(tid, f[1], f[3], now, 'not dead') end
requeue_terminal(t, tid, f[2], 'dead', now, ARGV[3] == '1', now)
publish()
return 1
