--[[
  set-queue: merges concurrency and pause settings into the queue's (SPEC E17).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  qe
  ARGV[2]  concurrency ('' = unchanged, 'null' = no limit, else a positive integer)
  ARGV[3]  paused ('' = unchanged, '1', '0')
  Returns  { concurrency or nil, paused (1/0) }: the settings now in force
]]
--- @include "common"
--- @include "tasks"

local cfg = qkey(ARGV[1], 'cfg')
if ARGV[2] == 'null' then
  redis.call('HDEL', cfg, 'c')
elseif ARGV[2] ~= '' then
  redis.call('HSET', cfg, 'c', ARGV[2])
end
if ARGV[3] ~= '' then redis.call('HSET', cfg, 'paused', ARGV[3]) end
local f = redis.call('HMGET', cfg, 'c', 'paused')
local paused = 0
if f[2] == '1' then paused = 1 end
return { f[1], paused }
