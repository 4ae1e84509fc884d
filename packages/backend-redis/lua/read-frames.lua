--[[
  read-frames: frames of one attempt (default the task's latest) with sequence > after, ascending
  (SPEC E18). Reads only.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  tid
  ARGV[2]  attempt ('' = the latest)
  ARGV[3]  after
  ARGV[4]  limit ('' = all)
  Returns  { attempt, 'createdAt|data'... } for sequences after+1, after+2, …; {} for an unknown task
  Flags    no-writes (it writes nothing, so it still answers when the server is out of memory)
]]
--- @include "common"

local t = B .. ':t:' .. ARGV[1]
local latest = redis.call('HGET', t, 'at')
if not latest then return {} end
local attempt = latest
if ARGV[2] ~= '' then attempt = ARGV[2] end
local after = tonumber(ARGV[3])
local stop = -1
if ARGV[4] ~= '' then stop = after + tonumber(ARGV[4]) - 1 end
local out = { tonumber(attempt) }
for _, frame in ipairs(redis.call('LRANGE', B .. ':fr:' .. ARGV[1] .. ':' .. attempt, after, stop)) do out[#out + 1] = frame end
return out
