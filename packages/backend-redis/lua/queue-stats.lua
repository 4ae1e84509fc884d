--[[
  queue-stats: the queue's settings, its task counts per effective state, the age of its
  longest-waiting ready task (SPEC E17), and when its rate limit lets the next lease be granted
  (SPEC E21: the (count − max + 1)-th oldest grant of the interval plus perMs, nil while the
  interval has room). Zeros for an unknown queue.

  Cost: O(log n) per count, and O(P log n) for the oldest ready task, P being the number of
  distinct priorities among the ready tasks (the ready set is kept in claim order only, so that
  claims and completions maintain no other index).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  qe
  Returns  { concurrency or nil, paused (1/0), scheduled, ready, leased, completed, dead,
           cancelled, suspended, blocked, oldest ready age or nil, rate max or nil, rate perMs or
           nil, nextGrantAt or nil, keyConcurrency or nil }
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
local qe = ARGV[2]
settle_timeouts(now)

local cfg = redis.call('HMGET', B, 'c:' .. qe, 'p:' .. qe, 'rm:' .. qe, 'rp:' .. qe, 'kc:' .. qe)
local n = redis.call('HMGET', qkey(qe, 'n'), 'all', 'dead', 'cancelled', 'suspended', 'blocked')
local r, s = qkey(qe, 'r'), qkey(qe, 's')
local kt = qkey(qe, 'kt')
local waiting = redis.call('ZCARD', r) + redis.call('ZCARD', kt)
local due = redis.call('ZCOUNT', s, '-inf', NOW_TEXT)
local scheduled = redis.call('ZCOUNT', s, '(' .. NOW_TEXT, '+inf')
local leased = redis.call('ZCARD', qkey(qe, 'l'))
local dead, cancelled = tonumber(n[2] or '0'), tonumber(n[3] or '0')
local suspended, blocked = tonumber(n[4] or '0'), tonumber(n[5] or '0')
local ready = waiting + due
-- A completed task is in no index and never changes again: it is every task ever enqueued in the
-- queue that is in no other state.
local completed = tonumber(n[1] or '0') - ready - scheduled - leased - dead - cancelled - suspended - blocked

-- The oldest ready task: the earliest due scheduled task, or the earliest runAt in the ready set.
-- The ready set is in claim order, priority first, so the first member of each priority level
-- holds that level's earliest runAt; the walk skips from level to level (members are
-- <priority key 17><runAt 16><order 16><tid>, digits and base64url, all below '~').
local oldest = nil
if due > 0 then oldest = tonumber(redis.call('ZRANGE', s, 0, 0, 'WITHSCORES')[2]) end
-- Keyed ready tasks (SPEC E20) are in :kt by runAt.
local keyed_oldest = redis.call('ZRANGE', kt, 0, 0, 'WITHSCORES')[2]
if keyed_oldest and (not oldest or tonumber(keyed_oldest) < oldest) then oldest = tonumber(keyed_oldest) end
local from = '-'
while true do
  local head = redis.call('ZRANGEBYLEX', r, from, '+', 'LIMIT', 0, 1)[1]
  if not head then break end
  local ra = tonumber(string.sub(head, 18, 33))
  if not oldest or ra < oldest then oldest = ra end
  from = '(' .. string.sub(head, 1, 17) .. '~'
end

local age = false
if oldest then age = n2s(now - oldest) end

local next_grant = false
if cfg[3] then
  local max, per = tonumber(cfg[3]), tonumber(cfg[4])
  local inside = redis.call('ZRANGEBYSCORE', qkey(qe, 'g'), '(' .. n2s(now - per), '+inf', 'WITHSCORES')
  local count = #inside / 2
  if count >= max then next_grant = n2s(tonumber(inside[(count - max) * 2 + 2]) + per) end
end
return {
  cfg[1], (cfg[2] == '1') and 1 or 0,
  scheduled, ready, leased,
  completed, dead, cancelled, suspended, blocked,
  age, cfg[3] or false, cfg[4] or false, next_grant, cfg[5] or false,
}
