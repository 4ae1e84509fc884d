--[[
  runs: the run status graph and run bookkeeping shared by the workflow scripts and commit
  (requires common).

  Keys (all under B; `re` is the base64url run id):
    B:run:<re>       hash, the run: id, wf, ver, st, in, ctx, cv (context version), ca, ua, cp, seq
    B:runs           sorted set (score creation order): every run
    B:runs:<status>  sorted set (score creation order): the runs in that status
    B:steps:<re>     hash: step id -> '<position>|<createdAt>|<updatedAt>|<body JSON>'
    B:ev:<re>        list: event n at index n-1, '<createdAt>|<body JSON>'
    B:snap:<re>      hash: atSequence -> '<createdAt>|<state JSON>'
    B:snapz:<re>     sorted set (score atSequence): the snapshots' sequences
]]
local RUN_FIELDS = { 'id', 'wf', 'ver', 'st', 'in', 'ctx', 'ca', 'ua', 'cp' }
local TERMINAL_RUN = { completed = true, failed = true, cancelled = true }
local RUN_MOVES = {
  pending = { running = true, failed = true, cancelled = true },
  running = { suspended = true, completed = true, failed = true, cancelled = true },
  suspended = { running = true, failed = true, cancelled = true },
  completed = {},
  failed = {},
  cancelled = {},
}

local function run_key(part, re) return B .. ':' .. part .. ':' .. re end

local function run_record(r) return redis.call('HMGET', r, unpack(RUN_FIELDS)) end

--- nil when run `re` may move from `current` to `status` (W3, docs/decisions.md), else an error
--- reply. `expected` '' means no expectation.
local function check_move(re, current, status, expected)
  local details = { re = re, status = current, requestedStatus = status }
  if expected ~= '' then details.expectedStatus = expected end
  if TERMINAL_RUN[current] then return reject_with_details('CONFLICT', 'the run is ' .. current .. ' and never changes again', details) end
  if expected ~= '' and expected ~= current then return reject_with_details('CONFLICT', 'the run is ' .. current .. ', not ' .. expected, details) end
  if not RUN_MOVES[current][status] then
    return reject_with_details('INVALID_STATE', 'a run cannot move from ' .. current .. ' to ' .. status, { re = re, status = current, requestedStatus = status })
  end
  return nil
end

local function move_run(r, re, from, to, now)
  local seq = redis.call('HGET', r, 'seq')
  redis.call('HSET', r, 'st', to, 'ua', n2s(now))
  if TERMINAL_RUN[to] then redis.call('HSET', r, 'cp', n2s(now)) end
  redis.call('ZREM', B .. ':runs:' .. from, re)
  redis.call('ZADD', B .. ':runs:' .. to, seq, re)
end

--- Removes the run and everything under it.
local function drop_run(re)
  local r = run_key('run', re)
  local st = redis.call('HGET', r, 'st')
  if not st then return 0 end
  redis.call('DEL', r, run_key('steps', re), run_key('ev', re), run_key('snap', re), run_key('snapz', re))
  redis.call('ZREM', B .. ':runs', re)
  redis.call('ZREM', B .. ':runs:' .. st, re)
  return 1
end

--- Inserts or replaces a step; a replaced step keeps its position and createdAt (W6).
local function upsert_step(re, step_id, body, now)
  local steps = run_key('steps', re)
  local previous = redis.call('HGET', steps, step_id)
  local position, created
  if previous then
    position, created = string.match(previous, '^(%d+)|(%d+)|')
  else
    position, created = n2s(redis.call('HLEN', steps)), n2s(now)
  end
  local value = position .. '|' .. created .. '|' .. n2s(now) .. '|' .. body
  redis.call('HSET', steps, step_id, value)
  return value
end
