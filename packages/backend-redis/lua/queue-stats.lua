--[[
  queue-stats: the queue's settings, its task counts per effective state, and the age of its
  longest-waiting ready task (SPEC E17). Zeros for an unknown queue.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  qe
  Returns  { concurrency or nil, paused (1/0), scheduled, ready, leased, completed, dead,
           cancelled, suspended, blocked, oldest ready age or nil }
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
local qe = ARGV[2]
settle_timeouts(now)

local cfg = redis.call('HMGET', B, 'c:' .. qe, 'p:' .. qe)
local n = redis.call('HMGET', qkey(qe, 'n'), 'completed', 'dead', 'cancelled', 'suspended', 'blocked')
local a = qkey(qe, 'a')
local ready = redis.call('ZCOUNT', a, '-inf', n2s(now))
local out = {
  cfg[1], (cfg[2] == '1') and 1 or 0,
  redis.call('ZCOUNT', a, '(' .. n2s(now), '+inf'),
  ready,
  redis.call('ZCARD', qkey(qe, 'l')),
  tonumber(n[1] or '0'), tonumber(n[2] or '0'), tonumber(n[3] or '0'), tonumber(n[4] or '0'), tonumber(n[5] or '0'),
  false,
}
if ready > 0 then
  local oldest = redis.call('ZRANGE', a, 0, 0, 'WITHSCORES')
  out[11] = n2s(now - tonumber(oldest[2]))
end
return out
