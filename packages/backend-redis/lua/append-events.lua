--[[
  append-events: appends a batch to the run's event log (SPEC W7, W8). The sequence is the list
  position, assigned inside the script, so sequences are 1..n, gap-free, and every batch is
  contiguous whatever the interleaving.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  re
  ARGV[3]  expectedSequence ('' = none)
  ARGV[4…] event bodies (JSON: [type, payload])
  Returns  the first sequence of the batch
  Errors   NOT_FOUND; SEQUENCE_CONFLICT when the latest sequence is not the expected one; before
           any write
]]
--- @include "common"
--- @include "runs"

local now = clock_now(ARGV[1])
local re = ARGV[2]
if redis.call('EXISTS', run_key('run', re)) == 0 then return reject_with_details('NOT_FOUND', 'run not found', { re = re }) end
local ev = run_key('ev', re)
local latest = redis.call('LLEN', ev)
if ARGV[3] ~= '' and tonumber(ARGV[3]) ~= latest then
  local details = { re = re, expectedSequence = tonumber(ARGV[3]), latestSequence = latest }
  return reject_with_details('SEQUENCE_CONFLICT', 'the latest sequence is ' .. latest .. ', not ' .. ARGV[3], details)
end
local stamp = n2s(now) .. '|'
for i = 4, #ARGV do redis.call('RPUSH', ev, stamp .. ARGV[i]) end
return latest + 1
