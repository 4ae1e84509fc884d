--[[
  set-queue: merges concurrency, pause, key limit and rate limit settings into the queue's (SPEC
  E17, E20, E21). They live in the tenant's meta hash (c:<qe>, p:<qe>, kc:<qe>, rm:<qe> and
  rp:<qe>), which claim reads in one call. Removing the rate limit forgets its grants (the queue's
  sorted set :g); a changed key limit unblocks every blocked key, to be judged again by claim.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  qe
  ARGV[2]  concurrency ('' = unchanged, 'null' = no limit, else a positive integer)
  ARGV[3]  paused ('' = unchanged, '1', '0')
  ARGV[4]  rate limit ('' = unchanged, 'null' = none, else '<max> <perMs>')
  ARGV[5]  keyConcurrency ('' = unchanged, 'null' = no limit, else a positive integer)
  ARGV[6]  the queue's name (listed by list-queues from now on, SPEC E26)
  Returns  { concurrency or nil, paused (1/0), rate max or nil, rate perMs or nil, keyConcurrency
           or nil }: the settings now in force
]]
--- @include "common"
--- @include "tasks"

local qe = ARGV[1]
redis.call('ZADD', B .. ':qn', 0, ARGV[6])
local c, p, rm, rp = 'c:' .. qe, 'p:' .. qe, 'rm:' .. qe, 'rp:' .. qe
if ARGV[2] == 'null' then
  redis.call('HDEL', B, c)
elseif ARGV[2] ~= '' then
  redis.call('HSET', B, c, ARGV[2])
end
if ARGV[3] == '1' then
  redis.call('HSET', B, p, '1')
elseif ARGV[3] == '0' then
  redis.call('HDEL', B, p)
end
if ARGV[4] == 'null' then
  redis.call('HDEL', B, rm, rp)
  redis.call('DEL', qkey(qe, 'g'))
elseif ARGV[4] ~= '' then
  local rate = words(ARGV[4])
  redis.call('HSET', B, rm, rate[1], rp, rate[2])
end
if ARGV[5] ~= '' then
  if ARGV[5] == 'null' then redis.call('HDEL', B, 'kc:' .. qe) else redis.call('HSET', B, 'kc:' .. qe, ARGV[5]) end
  for _, ke in ipairs(redis.call('ZRANGE', qkey(qe, 'kb'), 0, -1)) do unblock_key(qe, ke) end
end
local f = redis.call('HMGET', B, c, p, rm, rp, 'kc:' .. qe)
local paused = 0
if f[2] == '1' then paused = 1 end
return { f[1], paused, f[3], f[4], f[5] }
