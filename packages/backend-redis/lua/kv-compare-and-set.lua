--[[
  kv-compare-and-set: replaces the value only when the live value equals the expected bytes, or,
  with no expected value, only when none is live; atomic (SPEC S3).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  ke
  ARGV[3]  '1' when an expected value is given, '0' for "absent"
  ARGV[4]  expected (bytes)
  ARGV[5]  next (bytes)
  ARGV[6]  ttlMs ('' = no TTL)
  ARGV[7]  serverClock
  ARGV[8]  exe ('' = none)
  Returns  1 when replaced, else 0
]]
--- @include "common"
--- @include "state"

local now = clock_now(ARGV[1])
local k = B .. ':kv:' .. ARGV[2]
local current = kv_live(k, now)
local matches
if ARGV[3] == '1' then matches = current ~= nil and current == ARGV[4] else matches = current == nil end
if not matches then return 0 end
kv_write(k, ARGV[2], ARGV[5], ARGV[6], now, ARGV[7], ARGV[8])
return 1
