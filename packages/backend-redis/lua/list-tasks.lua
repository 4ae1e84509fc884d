--[[
  list-tasks: one page of the tenant's tasks matching every filter given, in enqueue order or
  newest first (SPEC E26, C5), walking B:tx (score: the task's order). The cursor is the order of
  the page's last task: orders never change and a new task's is above every earlier one, so no
  walk repeats or skips a task. A walk looks at most SCAN_LIMIT tasks per call (or limit + 1), so that a rare
  filter over a large tenant does not hold the server: a page may then be short, with a cursor.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  'asc' or 'desc'
  ARGV[3]  after (order of the previous page's last task; '' for the first page)
  ARGV[4]  limit
  ARGV[5]  qe ('' = any queue)
  ARGV[6]  state, as reads show it ('' = any)
  ARGV[7]  runId ('' = any)
  ARGV[8]  ke, base64url concurrency key ('' = any)
  Returns  { next cursor (order) or nil, task records (tasks.RECORD_FIELDS order)... }
]]
--- @include "common"
--- @include "tasks"

local SCAN_LIMIT = 1000
local CHUNK = 200

local now = clock_now(ARGV[1])
settle_timeouts(now)

local desc = ARGV[2] == 'desc'
local limit = tonumber(ARGV[4])
local budget = math.max(SCAN_LIMIT, limit + 1)
local qe, state, rid, ke = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local index = B .. ':tx'
local from = ARGV[3]
if from == '' then
  if desc then from = '+inf' else from = '-inf' end
else
  from = '(' .. from
end

local out = { false }
local last = nil
local scanned = 0
while scanned < budget do
  local found
  if desc then
    found = redis.call('ZREVRANGEBYSCORE', index, from, '-inf', 'WITHSCORES', 'LIMIT', 0, CHUNK)
  else
    found = redis.call('ZRANGEBYSCORE', index, from, '+inf', 'WITHSCORES', 'LIMIT', 0, CHUNK)
  end
  if #found == 0 then return out end
  for i = 1, #found, 2 do
    local tid, ord = found[i], found[i + 1]
    local t = tkey(tid)
    local f = redis.call('HMGET', t, 'st', 'qe', 'ra', 'rid', 'ck')
    if f[1] and (qe == '' or f[2] == qe) and (rid == '' or f[4] == rid) and (ke == '' or f[5] == ke)
      and (state == '' or shown_state(f[1], f[3], now) == state) then
      if #out > limit then
        out[1] = last
        return out
      end
      out[#out + 1] = task_record(t, now)
    end
    last = ord
    scanned = scanned + 1
  end
  from = '(' .. last
end
out[1] = last
return out
