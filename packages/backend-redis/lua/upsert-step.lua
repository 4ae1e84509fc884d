--[[
  upsert-step: inserts or replaces one step of a run; a replaced step keeps its position
  (SPEC W6).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  re
  ARGV[3]  step id
  ARGV[4]  body (JSON: [status, name, input, output, error])
  Returns  '<position>|<createdAt>|<updatedAt>|<body>'
  Errors   NOT_FOUND for an unknown run
]]
--- @include "common"
--- @include "runs"

local now = clock_now(ARGV[1])
if redis.call('EXISTS', run_key('run', ARGV[2])) == 0 then return reject_with_details('NOT_FOUND', 'run not found', { re = ARGV[2] }) end
return upsert_step(ARGV[2], ARGV[3], ARGV[4], now)
