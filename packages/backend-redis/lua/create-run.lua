--[[
  create-run: creates a run in status pending, or per ifExists returns the existing one untouched,
  replaces it (dropping its steps, events, snapshots and keys; the new run lists last), or rejects
  (SPEC W2). With events, the new run's events 1..n are appended in the same script (W12), and
  with claims its keys are claimed (W15): a key another run holds rejects the whole call.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  re (base64url run id)
  ARGV[3]  id
  ARGV[4]  workflowId
  ARGV[5]  version
  ARGV[6]  input (JSON)
  ARGV[7]  context (JSON object)
  ARGV[8]  ifExists ('return', 'replace' or 'error')
  ARGV[9]  n, the number of events; then n pairs: event body (JSON), caller event id ('' = none)
  then     k, the number of claims; then k triples: key, value (JSON), untilTerminal ('1' / '0')
  Returns  { created (1/0), run record (runs.RUN_FIELDS) }
  Errors   CONFLICT with ifExists 'error' when the run exists, or when another run holds a claimed
           key; before any write
]]
--- @include "common"
--- @include "runs"

local now = clock_now(ARGV[1])
local re = ARGV[2]
local r = run_key('run', re)
local n_events = tonumber(ARGV[9])
local claims_at = 10 + 2 * n_events
local claims = {}
for i = claims_at + 1, claims_at + 3 * tonumber(ARGV[claims_at]) do claims[#claims + 1] = ARGV[i] end
if redis.call('EXISTS', r) == 1 then
  if ARGV[8] == 'return' then return { 0, run_record(r) } end
  if ARGV[8] == 'error' then return reject_with_details('CONFLICT', 'a run with this id exists', { re = re }) end
end
-- A replaced run's keys go with it, so the new run (the same re) may claim them.
local refused = check_claims(re, claims)
if refused then return refused end
drop_run(re)
local seq = redis.call('HINCRBY', B, 'runseq', 1)
redis.call('HSET', r, 'id', ARGV[3], 'wf', ARGV[4], 'ver', ARGV[5], 'st', 'pending', 'in', ARGV[6], 'ctx', ARGV[7], 'cv', '0',
  'ca', n2s(now), 'ua', n2s(now), 'seq', n2s(seq))
redis.call('ZADD', B .. ':runs', seq, re)
redis.call('ZADD', B .. ':runs:pending', seq, re)
if n_events > 0 then
  local bodies, ids = {}, {}
  for i = 10, 9 + 2 * n_events, 2 do
    bodies[#bodies + 1] = ARGV[i]
    ids[#ids + 1] = ARGV[i + 1]
  end
  append_bodies(re, 0, bodies, ids, now)
end
claim_keys(re, claims)
if n_events > 0 then announce_log(re) end
return { 1, run_record(r) }
