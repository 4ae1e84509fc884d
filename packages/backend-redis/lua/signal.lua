--[[
  signal: delivers a signal to every task of the tenant suspended on its key (in enqueue order),
  resuming those it satisfies, or buffers it for signalTtlMs when none waits (SPEC E15, E14).
  A repeated idempotency key (within dedupTtlMs) returns the first signal id and delivers nothing.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  serverClock ('1' when time is the server's)
  ARGV[3]  dedupTtlMs
  ARGV[4]  signalTtlMs
  ARGV[5]  signalId (a fresh id)
  ARGV[6]  ke (base64url signal key)
  ARGV[7]  ike (base64url idempotency key, '' = none)
  ARGV[8]  payload (JSON)
  Returns  { signalId, duplicate (1/0), delivered task ids... }
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
local server_clock = ARGV[2]
local sid, ke, ike = ARGV[5], ARGV[6], ARGV[7]
settle_timeouts(now)

if ike ~= '' then
  local stored = redis.call('GET', B .. ':sik:' .. ike)
  if stored then
    local exp, first = string.match(stored, '^(%d+)|(.*)$')
    if tonumber(exp) > now then return { first, 1 } end
  end
end

local seq = redis.call('HINCRBY', B, 'sigseq', 1)
local signal = sid .. '|' .. n2s(now) .. '|' .. ke .. '|' .. ARGV[8]
if ike ~= '' then
  local key = B .. ':sik:' .. ike
  local exp = now + tonumber(ARGV[3])
  redis.call('SET', key, n2s(exp) .. '|' .. sid)
  expire_at(key, exp, server_clock)
end

local out = { sid, 0 }
local waiting = redis.call('ZRANGE', B .. ':sw:' .. ke, 0, -1)
for _, tid in ipairs(waiting) do
  local t = tkey(tid)
  local ts = B .. ':ts:' .. tid
  redis.call('RPUSH', ts, signal)
  redis.call('HSET', t, 'ua', n2s(now))
  local f = redis.call('HMGET', t, 'id', 'sm', 'sk')
  out[#out + 1] = f[1]
  local satisfied = true
  if f[2] == 'all' then
    local signalled = {}
    for _, entry in ipairs(redis.call('LRANGE', ts, 0, -1)) do
      signalled[string.match(entry, '^[^|]*|[^|]*|([^|]*)|')] = true
    end
    for _, key in ipairs(words(f[3])) do
      if not signalled[key] then satisfied = false end
    end
  end
  if satisfied then resume(t, tid, now, false, now) end
end

if #waiting == 0 then
  local buffer = B .. ':sb:' .. ke
  local exp = now + tonumber(ARGV[4])
  redis.call('RPUSH', buffer, pad16(seq) .. '|' .. n2s(exp) .. '|' .. signal)
  extend_expiry(buffer, exp, server_clock)
end
publish()
return out
