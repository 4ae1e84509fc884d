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
  ARGV[6]  ike (base64url idempotency key, '' = none)
  ARGV[7]  payload (JSON)
  ARGV[8]  ke (base64url signal key)
  Returns  { signalId, duplicate (1/0), delivered task ids... }
]]
--- @include "common"
--- @include "tasks"
--- @include "signals"

local now = clock_now(ARGV[1])
local server_clock = ARGV[2]
local sid, ike, ke = ARGV[5], ARGV[6], ARGV[8]
settle_timeouts(now)

local first = first_signal(ike, now)
if first then return { first, 1 } end
local signal, seq = new_signal(sid, ke, ike, ARGV[7], now, ARGV[3], server_clock)

local out = { sid, 0 }
local waiting = redis.call('ZRANGE', B .. ':sw:' .. ke, 0, -1)
for _, tid in ipairs(waiting) do out[#out + 1] = deliver_signal(tid, signal, now) end
if #waiting == 0 then buffer_signal(B .. ':sb:' .. ke, seq, signal, now, ARGV[4], server_clock) end
publish()
return out
