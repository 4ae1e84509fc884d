--[[
  set-run-status: moves the run along the status graph (SPEC W3). completedAt is set once, when the
  run becomes terminal.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  re
  ARGV[3]  status
  ARGV[4]  expected status ('' = none)
  Returns  the run record
  Errors   NOT_FOUND; CONFLICT (terminal run, or not the expected status); INVALID_STATE (a move the
           graph does not have); all before any write
]]
--- @include "common"
--- @include "runs"

local now = clock_now(ARGV[1])
local re = ARGV[2]
local r = run_key('run', re)
local current = redis.call('HGET', r, 'st')
if not current then return reject_with_details('NOT_FOUND', 'run not found', { re = re }) end
local refused = check_move(re, current, ARGV[3], ARGV[4])
if refused then return refused end
move_run(r, re, current, ARGV[3], now)
return run_record(r)
