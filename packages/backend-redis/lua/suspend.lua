--[[
  suspend: parks the leased task until signals on its keys arrive, or its timeout (SPEC E14, E5).

  Leases granted since the previous suspension ended carried its signals; that stops here. Every
  live buffered signal on any of the keys, for any task or for this one (a waitpoint's, SPEC E25),
  is taken first, oldest first; those buffered for other tasks stay. When they satisfy
  the mode (any: one key signalled; all: every key), they are returned and the lease stays valid.
  Otherwise the lease ends, the task is suspended with the taken signals attached, and later
  signals accumulate on it until satisfied.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  tid
  ARGV[3]  epoch
  ARGV[4]  leaseId (SPEC T4)
  ARGV[5]  mode ('any' or 'all')
  ARGV[6]  timeoutAt ('' = none)
  ARGV[7…] ke of each key (base64url, distinct)
  Returns  { 1 } when suspended, { 0, signals... } when already satisfied
           (signal: 'signalId|createdAt|keyB64|payload')
  Errors   the fence, checked before any write of the call
]]
--- @include "common"
--- @include "tasks"
--- @include "signals"

local now = clock_now(ARGV[1])
local tid = ARGV[2]
local t = tkey(tid)
local mode = ARGV[5]

settle_timeouts(now)
local fenced, task = fence(t, tid, tonumber(ARGV[3]), ARGV[4], now, 'other')
if fenced ~= 'ok' then return fenced end

local keys = {}
for i = 7, #ARGV do keys[#keys + 1] = ARGV[i] end
forget_resumption(t, tid)

local taken, signalled = {}, {}
for _, ke in ipairs(keys) do
  local any = take_buffered(B .. ':sb:' .. ke, now, taken)
  local own = take_buffered(B .. ':sbt:' .. tid .. ':' .. ke, now, taken)
  if any or own then signalled[ke] = true end
end
table.sort(taken, function(x, y) return x[1] < y[1] end)

local satisfied
if mode == 'all' then
  satisfied = true
  for _, ke in ipairs(keys) do
    if not signalled[ke] then satisfied = false end
  end
else
  satisfied = #taken > 0
end

if satisfied then
  local out = { 0 }
  for _, s in ipairs(taken) do out[#out + 1] = s[2] end
  return out
end

end_lease(t, tid, task, 'suspended', now, 'sm', mode, 'sk', table.concat(keys, ' '))
if ARGV[6] ~= '' then
  redis.call('HSET', t, 'sx', ARGV[6])
  redis.call('ZADD', B .. ':tmo', ARGV[6], tid)
  lower_bound('tmo', tonumber(ARGV[6]))
end
for _, ke in ipairs(keys) do redis.call('ZADD', B .. ':sw:' .. ke, task.ord, tid) end
local ts = B .. ':ts:' .. tid
redis.call('DEL', ts)
for _, s in ipairs(taken) do redis.call('RPUSH', ts, s[2]) end
return { 1 }
