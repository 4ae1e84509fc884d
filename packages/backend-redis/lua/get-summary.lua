--[[
  get-summary: the summary of one attempt of a task (default its latest) (SPEC E28). Reads only.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  tid
  ARGV[2]  attempt ('' = the latest)
  Returns  { attempt, 'updatedAt|summary' }; {} for an unknown task or an attempt without a summary
  Flags    no-writes
]]
--- @include "common"

local latest = redis.call('HGET', B .. ':t:' .. ARGV[1], 'at')
if not latest then return {} end
local attempt = latest
if ARGV[2] ~= '' then attempt = ARGV[2] end
local stored = redis.call('GET', B .. ':su:' .. ARGV[1] .. ':' .. attempt)
if not stored then return {} end
return { tonumber(attempt), stored }
