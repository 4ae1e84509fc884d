--[[
  write-snapshot: stores a durable snapshot of the run at an event sequence; one at the same
  sequence is replaced (SPEC W10).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  re
  ARGV[3]  atSequence
  ARGV[4]  state (JSON)
  Returns  createdAt
  Errors   NOT_FOUND; INVALID_STATE when atSequence is beyond the latest sequence
]]
--- @include "common"
--- @include "runs"

local now = clock_now(ARGV[1])
local re = ARGV[2]
if redis.call('EXISTS', run_key('run', re)) == 0 then return reject_with_details('NOT_FOUND', 'run not found', { re = re }) end
local latest = redis.call('LLEN', run_key('ev', re))
if tonumber(ARGV[3]) > latest then
  local details = { re = re, atSequence = tonumber(ARGV[3]), latestSequence = latest }
  return reject_with_details('INVALID_STATE', 'atSequence ' .. ARGV[3] .. ' is beyond the latest sequence ' .. latest, details)
end
redis.call('HSET', run_key('snap', re), ARGV[3], n2s(now) .. '|' .. ARGV[4])
redis.call('ZADD', run_key('snapz', re), ARGV[3], ARGV[3])
return n2s(now)
