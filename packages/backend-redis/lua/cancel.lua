--[[
  cancel: cancels a non-terminal task and revokes its lease; its blocked dependents are cancelled
  with reason "dependency_failed", transitively (SPEC E13, E16).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  tid
  ARGV[3]  '1' when a reason is given, else '0'
  ARGV[4]  reason
  Returns  1 when cancelled, 0 when the task was already terminal
  Errors   NOT_FOUND, before any write of the call
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
local tid = ARGV[2]
local t = tkey(tid)
settle_timeouts(now)

local st = redis.call('HGET', t, 'st')
if not st then return reject_with_details('NOT_FOUND', 'task not found', { tid = tid }) end
if TERMINAL[st] then return 0 end
local reason = nil
if ARGV[3] == '1' then reason = ARGV[4] end
cancel_task(t, tid, reason, now)
publish()
return 1
