--[[
  fail: consumes the lease's attempt; the task is retried at now + backoff when retryable and
  attempts remain, else dead-lettered (SPEC E8, E5, E16).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  tid
  ARGV[3]  epoch
  ARGV[4]  leaseId (SPEC T4)
  ARGV[5]  error (JSON)
  ARGV[6]  retryable ('1' or '0')
  Returns  { 'retry', runAt } or { 'dead' }
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

local outcome, ra = consume_attempt(t, tid, ARGV[5], ARGV[6] == '1', now)
if outcome == 'retry' then emit('failed', redis.call('HGET', t, 'qe'), tid, now) end
publish()
if outcome == 'retry' then return { 'retry', n2s(ra) } end
return { 'dead' }
