--[[
  set-context: replaces the run's context (SPEC W4). With an expected context version it is the
  compare-and-set step of appendToContext: the client read the context at that version, appended,
  and writes only if nobody changed it since (else it reads again), so no append is ever lost.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  re
  ARGV[3]  context (JSON object)
  ARGV[4]  expected context version ('' = replace unconditionally)
  Returns  { 1, run record } when written, { 0 } when the version moved on
  Errors   NOT_FOUND
]]
--- @include "common"
--- @include "runs"

local now = clock_now(ARGV[1])
local r = run_key('run', ARGV[2])
local cv = redis.call('HGET', r, 'cv')
if not cv then return reject_with_details('NOT_FOUND', 'run not found', { re = ARGV[2] }) end
if ARGV[4] ~= '' and ARGV[4] ~= cv then return { 0 } end
redis.call('HSET', r, 'ctx', ARGV[3], 'cv', n2s(tonumber(cv) + 1), 'ua', n2s(now))
return { 1, run_record(r) }
