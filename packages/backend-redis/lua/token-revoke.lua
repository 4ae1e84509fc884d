--[[
  token-revoke: revokes a token of the given tenant (SPEC T3).

  KEYS[1]  G, the global base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  ide (base64url token id)
  ARGV[3]  tenant id (a view revokes only its own tenant's tokens)
  Returns  1 when revoked, 0 when absent, another tenant's, or already revoked
]]
--- @include "common"

local now = clock_now(ARGV[1])
local key = B .. ':tok:' .. ARGV[2]
local f = redis.call('HMGET', key, 't', 'rv')
if not f[1] or f[1] ~= ARGV[3] or f[2] then return 0 end
redis.call('HSET', key, 'rv', n2s(now))
return 1
