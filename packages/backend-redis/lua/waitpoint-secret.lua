--[[
  waitpoint-secret: the tenant's secret under a token's kid and the time, for the client to judge
  the token and check its MAC (Lua has no HMAC) before signal-waitpoint delivers (SPEC E25).
  Reads only.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  kid (from the token, not yet verified)
  Returns  { now, validUntil ('' while it signs), secret }, or { now } when the tenant has no
           secret under kid
  Flags    no-writes
]]
--- @include "common"
--- @include "waitpoints"

local now = clock_now(ARGV[1])
local valid_until, secret = secret_of(ARGV[2])
if not secret then return { now } end
return { now, valid_until, secret }
