--[[
  create-run: creates a run in status pending, or per ifExists returns the existing one untouched,
  replaces it (dropping its steps, events and snapshots; the new run lists last), or rejects
  (SPEC W2).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  re (base64url run id)
  ARGV[3]  id
  ARGV[4]  workflowId
  ARGV[5]  version
  ARGV[6]  input (JSON)
  ARGV[7]  context (JSON object)
  ARGV[8]  ifExists ('return', 'replace' or 'error')
  Returns  { created (1/0), run record (runs.RUN_FIELDS) }
  Errors   CONFLICT with ifExists 'error' when the run exists
]]
--- @include "common"
--- @include "runs"

local now = clock_now(ARGV[1])
local re = ARGV[2]
local r = run_key('run', re)
if redis.call('EXISTS', r) == 1 then
  if ARGV[8] == 'return' then return { 0, run_record(r) } end
  if ARGV[8] == 'error' then return reject_with_details('CONFLICT', 'a run with this id exists', { re = re }) end
  drop_run(re)
end
local seq = redis.call('HINCRBY', B, 'runseq', 1)
redis.call('HSET', r, 'id', ARGV[3], 'wf', ARGV[4], 'ver', ARGV[5], 'st', 'pending', 'in', ARGV[6], 'ctx', ARGV[7], 'cv', '0',
  'ca', n2s(now), 'ua', n2s(now), 'seq', n2s(seq))
redis.call('ZADD', B .. ':runs', seq, re)
redis.call('ZADD', B .. ':runs:pending', seq, re)
return { 1, run_record(r) }
