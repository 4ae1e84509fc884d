--[[
  kv-set: stores bytes under a key, replacing any value and TTL (SPEC S2).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  ke (base64url key)
  ARGV[3]  value (bytes)
  ARGV[4]  ttlMs ('' = no TTL)
  ARGV[5]  serverClock ('1' when time is the server's)
  ARGV[6]  exe (base64url id of the execution owning the key, '' = none)
  Returns  1
]]
--- @include "common"
--- @include "state"

local now = clock_now(ARGV[1])
kv_write(B .. ':kv:' .. ARGV[2], ARGV[2], ARGV[3], ARGV[4], now, ARGV[5], ARGV[6])
return 1
