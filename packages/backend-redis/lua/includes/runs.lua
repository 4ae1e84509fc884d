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
    B:evid:<re>      hash: caller event id -> sequence (SPEC W15)
    B:rk             hash: claimed key -> '<re>|<untilTerminal 0/1>|<value JSON>' (SPEC W15): the
                     tenant's keys, one hash under B, so a claim is one HGET and HSET in the
                     committing script and every key stays in the tenant's slot
    B:rkr:<re>       set: the keys the run holds, to release them with the run

  Log readers (SPEC W16) are told of an append by a 'log <re>' line on the tenant's channel B:ch,
  published after the script's writes.
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

--- Releases the run's keys: those of `keys` (a list), or with `all` every one, or with
--- `until_terminal` those claimed untilTerminal. A key another run holds is left alone (W15).
local function release_keys(re, keys, all, until_terminal)
  local rk, rkr = B .. ':rk', run_key('rkr', re)
  if all or until_terminal then keys = redis.call('SMEMBERS', rkr) end
  for _, key in ipairs(keys) do
    local held = redis.call('HGET', rk, key)
    if held then
      local holder, flag = string.match(held, '^([^|]*)|(%d)|')
      if holder == re and (not until_terminal or flag == '1') then
        redis.call('HDEL', rk, key)
        redis.call('SREM', rkr, key)
      end
    end
  end
end

--- nil when no run but `re` holds one of `claims` (a flat list: key, value JSON, until '1'/'0', …),
--- else the CONFLICT reply (W15).
local function check_claims(re, claims)
  local rk = B .. ':rk'
  for i = 1, #claims, 3 do
    local held = redis.call('HGET', rk, claims[i])
    if held then
      local holder = string.match(held, '^([^|]*)|')
      if holder ~= re then
        return reject_with_details('CONFLICT', 'the key is held by another run', { re = re, key = claims[i], heldBy = holder })
      end
    end
  end
  return nil
end

--- Claims `claims` (checked by check_claims) for run `re`.
local function claim_keys(re, claims)
  local rk, rkr = B .. ':rk', run_key('rkr', re)
  for i = 1, #claims, 3 do
    redis.call('HSET', rk, claims[i], re .. '|' .. claims[i + 2] .. '|' .. claims[i + 1])
    redis.call('SADD', rkr, claims[i])
  end
end

--- nil when none of the caller event ids in `ids` (a list, '' for none) is one the run has, else
--- the CONFLICT reply (W15).
local function check_event_ids(re, ids)
  local evid = run_key('evid', re)
  for _, id in ipairs(ids) do
    if id ~= '' then
      local sequence = redis.call('HGET', evid, id)
      if sequence then
        return reject_with_details('CONFLICT', 'the run already has this event id', { re = re, eventId = id, sequence = tonumber(sequence) })
      end
    end
  end
  return nil
end

--- Appends `bodies` (with their caller ids `ids`, '' for none) after `latest`; returns the new latest.
local function append_bodies(re, latest, bodies, ids, now)
  local ev, evid = run_key('ev', re), run_key('evid', re)
  local prefix = n2s(now) .. '|'
  for i, body in ipairs(bodies) do
    redis.call('RPUSH', ev, prefix .. body)
    if ids[i] ~= '' then redis.call('HSET', evid, ids[i], n2s(latest + i)) end
  end
  return latest + #bodies
end

--- Tells the run's log readers that it grew (W16); call after the script's last write.
local function announce_log(re) redis.call('PUBLISH', B .. ':ch', 'log ' .. re) end

local function move_run(r, re, from, to, now)
  local seq = redis.call('HGET', r, 'seq')
  redis.call('HSET', r, 'st', to, 'ua', n2s(now))
  if TERMINAL_RUN[to] then
    redis.call('HSET', r, 'cp', n2s(now))
    release_keys(re, nil, false, true)
  end
  redis.call('ZREM', B .. ':runs:' .. from, re)
  redis.call('ZADD', B .. ':runs:' .. to, seq, re)
end

--- Removes the run and everything under it, its keys included.
local function drop_run(re)
  local r = run_key('run', re)
  local st = redis.call('HGET', r, 'st')
  if not st then return 0 end
  release_keys(re, nil, true, false)
  redis.call('DEL', r, run_key('steps', re), run_key('ev', re), run_key('snap', re), run_key('snapz', re), run_key('evid', re), run_key('rkr', re))
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
