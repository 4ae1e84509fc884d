--[[
  set-queue: merges concurrency and pause settings into the queue's (SPEC E17). They live in the
  tenant's meta hash (c:<qe>, p:<qe>), which claim reads in one call.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  qe
  ARGV[2]  concurrency ('' = unchanged, 'null' = no limit, else a positive integer)
  ARGV[3]  paused ('' = unchanged, '1', '0')
  Returns  { concurrency or nil, paused (1/0) }: the settings now in force
]]
--- @include "common"
--- @include "tasks"

local c, p = 'c:' .. ARGV[1], 'p:' .. ARGV[1]
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
local f = redis.call('HMGET', B, c, p)
local paused = 0
if f[2] == '1' then paused = 1 end
return { f[1], paused }
