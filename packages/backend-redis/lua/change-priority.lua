--[[
  change-priority: sets a non-terminal task's priority (SPEC E26, E3). A queued task is re-filed
  under the new priority key in the same call (its ready or key set, and its key's place in the
  fair order, SPEC E20), so the next claim orders it by the new one; a leased, suspended or
  blocked task keeps its state (a lease stays held) and is filed by the new key when it is
  queued again.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  tid
  ARGV[3]  priority
  ARGV[4]  priority key (17 digits)
  Returns  1
  Errors   NOT_FOUND, INVALID_STATE (the task is terminal); before any write of the call
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
local tid = ARGV[2]
local t = tkey(tid)
settle_timeouts(now)

local f = redis.call('HMGET', t, 'st', 'qe', 'ra')
if not f[1] then return reject_with_details('NOT_FOUND', 'task not found', { tid = tid }) end
if TERMINAL[f[1]] then return reject_state(tid, f[1], f[3], now, 'its priority cannot change') end

local qe = f[2]
if f[1] == 'queued' then remove_queued(t, tid, qe) end
redis.call('HSET', t, 'pr', ARGV[3], 'pk', ARGV[4], 'ua', stamp(now))
if f[1] == 'queued' then
  local ra = tonumber(f[3])
  add_queued(t, tid, qe, ra, now)
  if ra <= now then hint(qe) end
end
publish()
return 1
