--[[
  append-events: appends a batch to the run's event log (SPEC W7, W8, W15, W16). The sequence is
  the list position, assigned inside the script, so sequences are 1..n, gap-free, and every batch
  is contiguous whatever the interleaving. A caller event id is checked against the run's ids in
  the same script, and the run's log readers are told after the writes.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  re
  ARGV[3]  expectedSequence ('' = none)
  ARGV[4…] pairs: event body (JSON: [type, payload] or [type, payload, id]), caller event id
           ('' = none)
  Returns  the first sequence of the batch
  Errors   NOT_FOUND; SEQUENCE_CONFLICT when the latest sequence is not the expected one; CONFLICT
           when an event id is one the run has; before any write
]]
--- @include "common"
--- @include "runs"

local now = clock_now(ARGV[1])
local re = ARGV[2]
if redis.call('EXISTS', run_key('run', re)) == 0 then return reject_with_details('NOT_FOUND', 'run not found', { re = re }) end
local latest = redis.call('LLEN', run_key('ev', re))
if ARGV[3] ~= '' and tonumber(ARGV[3]) ~= latest then
  local details = { re = re, expectedSequence = tonumber(ARGV[3]), latestSequence = latest }
  return reject_with_details('SEQUENCE_CONFLICT', 'the latest sequence is ' .. latest .. ', not ' .. ARGV[3], details)
end
local bodies, ids = {}, {}
for i = 4, #ARGV, 2 do
  bodies[#bodies + 1] = ARGV[i]
  ids[#ids + 1] = ARGV[i + 1]
end
local refused = check_event_ids(re, ids)
if refused then return refused end
append_bodies(re, latest, bodies, ids, now)
announce_log(re)
return latest + 1
