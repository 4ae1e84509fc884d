--[[
  commit: applies events, snapshot, context, status, steps and the lease's settlement in one
  transaction, or nothing (SPEC W11, E5).

  Checks, all before the call's first write (docs/decisions.md): the run exists (NOT_FOUND); the
  lease's fence (E5 order); expectedSequence (SEQUENCE_CONFLICT); the status move (CONFLICT /
  INVALID_STATE); the snapshot's atSequence (INVALID_STATE), which defaults to the latest sequence
  after this commit's events; the event ids and the claimed keys (CONFLICT, W15). With a lease, due
  suspension timeouts are settled first, as every fenced call does. The run's log readers are told
  of its events after the writes (W16).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  re
  ARGV[3]  lease tid ('' = no lease)
  ARGV[4]  lease epoch
  ARGV[5]  lease leaseId (SPEC T4)
  ARGV[6]  expectedSequence ('' = none)
  ARGV[7]  status ('' = unchanged)
  ARGV[8]  '1' when a context is given, else '0'
  ARGV[9]  context (JSON object)
  ARGV[10] '1' when a snapshot is given, else '0'
  ARGV[11] snapshot atSequence ('' = the latest after the events)
  ARGV[12] snapshot state (JSON)
  ARGV[13] settle ('' = none, 'complete', 'fail')
  ARGV[14] result (complete) or error (fail), JSON
  ARGV[15] retryable ('1' or '0', fail)
  ARGV[16] n, the number of events; then n pairs: event body (JSON: [type, payload] or
           [type, payload, id]), caller event id ('' = none)
  then     m, the number of steps; then m pairs: step id, body (JSON)
  then     k, the number of claimed keys; then k triples: key, value (JSON), untilTerminal ('1' / '0')
  then     j, the number of released keys; then j keys
  Returns  { first sequence (0 when no events), latest sequence, run record, failure outcome
           ('' / 'retry' / 'dead'), retry runAt ('' unless retry) }
]]
--- @include "common"
--- @include "tasks"
--- @include "runs"

local now = clock_now(ARGV[1])
local re = ARGV[2]
local r = run_key('run', re)
local tid = ARGV[3]
local t = nil
local task = nil
local n_events = tonumber(ARGV[16])
local steps_at = 17 + 2 * n_events
local claims_at = steps_at + 1 + 2 * tonumber(ARGV[steps_at])
local releases_at = claims_at + 1 + 3 * tonumber(ARGV[claims_at])
local bodies, ids, claims, releases = {}, {}, {}, {}
for i = 17, 16 + 2 * n_events, 2 do
  bodies[#bodies + 1] = ARGV[i]
  ids[#ids + 1] = ARGV[i + 1]
end
for i = claims_at + 1, releases_at - 1 do claims[#claims + 1] = ARGV[i] end
for i = releases_at + 1, releases_at + tonumber(ARGV[releases_at]) do releases[#releases + 1] = ARGV[i] end

local current = redis.call('HGET', r, 'st')
if not current then return reject_with_details('NOT_FOUND', 'run not found', { re = re }) end

if tid ~= '' then
  t = tkey(tid)
  settle_timeouts(now)
  local fenced
  fenced, task = fence(t, tid, tonumber(ARGV[4]), ARGV[5], now, 'other')
  if fenced ~= 'ok' then return fenced end
end

local ev = run_key('ev', re)
local latest = redis.call('LLEN', ev)
if ARGV[6] ~= '' and tonumber(ARGV[6]) ~= latest then
  local details = { re = re, expectedSequence = tonumber(ARGV[6]), latestSequence = latest }
  return reject_with_details('SEQUENCE_CONFLICT', 'the latest sequence is ' .. latest .. ', not ' .. ARGV[6], details)
end

if ARGV[7] ~= '' then
  local refused = check_move(re, current, ARGV[7], '')
  if refused then return refused end
end

local after_events = latest + n_events
local snapshot_at = after_events
if ARGV[10] == '1' and ARGV[11] ~= '' then
  snapshot_at = tonumber(ARGV[11])
  if snapshot_at > after_events then
    local details = { re = re, atSequence = snapshot_at, latestSequence = after_events }
    return reject_with_details('INVALID_STATE', 'snapshot atSequence ' .. ARGV[11] .. ' is beyond the latest sequence ' .. after_events, details)
  end
end
local refused = check_event_ids(re, ids)
if refused then return refused end
refused = check_claims(re, claims)
if refused then return refused end

-- Every check passed: write.
local stamp = n2s(now) .. '|'
append_bodies(re, latest, bodies, ids, now)
if ARGV[10] == '1' then
  redis.call('HSET', run_key('snap', re), n2s(snapshot_at), stamp .. ARGV[12])
  redis.call('ZADD', run_key('snapz', re), snapshot_at, n2s(snapshot_at))
end
if ARGV[8] == '1' then
  local cv = redis.call('HGET', r, 'cv')
  redis.call('HSET', r, 'ctx', ARGV[9], 'cv', n2s(tonumber(cv) + 1), 'ua', n2s(now))
end
release_keys(re, releases, false, false)
claim_keys(re, claims)
if ARGV[7] ~= '' then
  move_run(r, re, current, ARGV[7], now)
elseif TERMINAL_RUN[current] then
  release_keys(re, nil, false, true)
end
local n_steps = tonumber(ARGV[steps_at])
for i = 1, n_steps do
  upsert_step(re, ARGV[steps_at + 2 * i - 1], ARGV[steps_at + 2 * i], now)
end

local outcome, retry_at = '', ''
if ARGV[13] == 'complete' then
  end_lease(t, tid, task, 'completed', now, 'ce', ARGV[4], 'res', ARGV[14])
  emit('completed', task.qe, tid, now)
  release_dependents(tid, now, task.hd)
elseif ARGV[13] == 'fail' then
  local ra
  outcome, ra = consume_attempt(t, tid, ARGV[14], ARGV[15] == '1', now)
  if outcome == 'retry' then
    retry_at = n2s(ra)
    emit('failed', redis.call('HGET', t, 'qe'), tid, now)
  end
end
publish()
if n_events > 0 then announce_log(re) end

local first = 0
if n_events > 0 then first = latest + 1 end
return { first, after_events, run_record(r), outcome, retry_at }
