--[[
  signal-waitpoint: delivers a waitpoint's signal to its task only, once (SPEC E25, E15, E14).
  The client has judged the token (its shape, tenant, the secret under its kid, its MAC and
  expiry) with waitpoint-secret's reply; what can have changed since is judged again here, at
  this call's now, before any write: the secret under kid still verifies, the token has not
  expired, the waitpoint exists. A waitpoint already delivered returns its signal id as a
  duplicate, and so does a repeated idempotency key (within dedupTtlMs). Otherwise the signal is
  attached to the task when it is suspended on the key (resuming it as a key signal would), or
  buffered for that task alone for signalTtlMs.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  serverClock ('1' when time is the server's)
  ARGV[3]  dedupTtlMs
  ARGV[4]  signalTtlMs
  ARGV[5]  signalId (a fresh id)
  ARGV[6]  ike (base64url idempotency key, '' = none)
  ARGV[7]  payload (JSON)
  ARGV[8]  wpe (base64url waitpoint id)
  ARGV[9]  kid (the token's)
  ARGV[10] expiresAt (the token's)
  Returns  { signalId, duplicate (1/0), the task's id when delivered at once }
  Errors   UNAUTHORIZED with details { reason } ('kid', 'expired', 'unknown_waitpoint'), before
           any write of the call
]]
--- @include "common"
--- @include "tasks"
--- @include "signals"
--- @include "waitpoints"

local now = clock_now(ARGV[1])
local server_clock = ARGV[2]
local sid, ike, wpe = ARGV[5], ARGV[6], ARGV[8]

local function refuse(reason)
  return reject_with_details('UNAUTHORIZED', 'the waitpoint token does not verify', { reason = reason })
end
local valid_until = secret_of(ARGV[9])
if not secret_verifies(valid_until, now) then return refuse('kid') end
if tonumber(ARGV[10]) <= now then return refuse('expired') end
local w = B .. ':wp:' .. wpe
local f = redis.call('HMGET', w, 'tid', 'ke', 'sid')
if not f[1] then return refuse('unknown_waitpoint') end
if f[3] then return { f[3], 1 } end

settle_timeouts(now)
local first = first_signal(ike, now)
if first then return { first, 1 } end
local tid, ke = f[1], f[2]
local signal, seq = new_signal(sid, ke, ike, ARGV[7], now, ARGV[3], server_clock)

local out = { sid, 0 }
if redis.call('ZSCORE', B .. ':sw:' .. ke, tid) then
  out[3] = deliver_signal(tid, signal, now)
else
  buffer_signal(B .. ':sbt:' .. tid .. ':' .. ke, seq, signal, now, ARGV[4], server_clock)
end
redis.call('HSET', w, 'sid', sid, 'da', n2s(now))
publish()
return out
