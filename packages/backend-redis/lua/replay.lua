--[[
  replay: makes a terminal task (completed, dead, cancelled) run again, ready at runAt or now
  (SPEC E26). Its result, last error, progress and cancel reason are cleared and its replay count
  rises; it goes back exactly as retry-dead-letter sends a dead task back (requeue_terminal), its
  last attempt counted as spent so that attempts go on counting unless resetAttempts, its epoch stays (an earlier lease stays fenced),
  and its frames and summaries are left as they are. A replayed completed task is not completed
  any more: its dependents still blocked (kept in B:dep:<tid> by release_dependents) wait for it
  again and its next completion releases them, once; those it released are not touched. The
  completing lease's repeat (SPEC E7) no longer applies: that run is over.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  tid
  ARGV[3]  resetAttempts ('1' or '0')
  ARGV[4]  runAt ('' = now)
  Returns  1
  Errors   NOT_FOUND, INVALID_STATE (the task is not terminal); before any write of the call
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
local tid = ARGV[2]
local t = tkey(tid)
settle_timeouts(now)

local f = redis.call('HMGET', t, 'st', 'qe', 'ra')
if not f[1] then return reject_with_details('NOT_FOUND', 'task not found', { tid = tid }) end
if not TERMINAL[f[1]] then return reject_state(tid, f[1], f[3], now, 'not completed, dead or cancelled') end

local ra = now
if ARGV[4] ~= '' then ra = tonumber(ARGV[4]) end
forget_resumption(t, tid)
redis.call('HSET', t, 'res', 'null', 'le', 'null', 'ce', '')
redis.call('HDEL', t, 'pg', 'cr')
redis.call('HINCRBY', t, 'rp', 1)
-- The last run's attempt counts as spent, so the next lease is attempt + 1 and its frames start a
-- stream of their own (requeue_terminal's reset starts counting from 1 again instead).
redis.call('HSET', t, 'con', redis.call('HGET', t, 'at') or '0')
requeue_terminal(t, tid, f[2], f[1], ra, ARGV[3] == '1', now)
publish()
return 1
