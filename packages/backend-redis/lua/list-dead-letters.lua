--[[
  list-dead-letters: one page of dead tasks in the order they died, of one queue or all
  (SPEC E12, C5). The cursor is the death order of the page's last task: a task that dies later
  lists after it, a retried one leaves the list, so no page repeats or skips a task that stayed dead.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  qe ('' = every queue)
  ARGV[3]  limit
  ARGV[4]  after (death order of the previous page's last task; 0 for the first page)
  Returns  { next cursor (death order) or nil, task records... }
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
settle_timeouts(now)

local key = B .. ':dl'
if ARGV[2] ~= '' then key = qkey(ARGV[2], 'dl') end
local limit = tonumber(ARGV[3])
local found = redis.call('ZRANGEBYSCORE', key, '(' .. ARGV[4], '+inf', 'WITHSCORES', 'LIMIT', 0, limit + 1)
local out = { false }
local count = math.min(limit, #found / 2)
for i = 1, count do out[#out + 1] = task_record(tkey(found[2 * i - 1]), now) end
if #found / 2 > limit then out[1] = found[2 * count] end
return out
