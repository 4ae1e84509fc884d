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
if f[1] ~= 'dead' then
  local st = shown_state(f[1], f[3], now)
  return reject_with_details('INVALID_STATE', 'the task is ' .. st .. ', not dead', { tid = tid, state = st })
end

local qe = f[2]
redis.call('ZREM', B .. ':dl', tid)
redis.call('ZREM', qkey(qe, 'dl'), tid)
redis.call('HDEL', t, 'do')
set_state(t, qe, 'dead', 'queued')
local ke = key_of(redis.call('HGET', t, 'ck'))
if ke then key_task_started(qe, ke) end
redis.call('HSET', t, 'ra', n2s(now), 'ua', n2s(now))
if ARGV[3] == '1' then redis.call('HSET', t, 'con', '0') end
add_queued(t, tid, qe, now, now)
hint(qe)
publish()
return 1
