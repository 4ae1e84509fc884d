--[[
  token-create: stores a token's record and the SHA-256 of its secret, never the secret (SPEC T3).
  Tokens live under the global base, because validate looks them up from any tenant.

  KEYS[1]  G, the global base key {<prefix>}
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  id
  ARGV[3]  ide (base64url id)
  ARGV[4]  tenant id
  ARGV[5]  te (base64url tenant id)
  ARGV[6]  name
  ARGV[7]  role
  ARGV[8]  expiresAt ('' = never)
  ARGV[9]  hash (hex SHA-256 of the token)
  Returns  the record { id, tenantId, name, role, createdAt, expiresAt, revokedAt }
]]
--- @include "common"

local now = n2s(clock_now(ARGV[1]))
local key = B .. ':tok:' .. ARGV[3]
redis.call('HSET', key, 'id', ARGV[2], 't', ARGV[4], 'n', ARGV[6], 'r', ARGV[7], 'ca', now, 'h', ARGV[9])
if ARGV[8] ~= '' then redis.call('HSET', key, 'x', ARGV[8]) end
redis.call('SET', B .. ':tokh:' .. ARGV[9], ARGV[3])
local seq = redis.call('HINCRBY', B, 'tokseq', 1)
redis.call('ZADD', B .. ':toks:' .. ARGV[5], seq, ARGV[3])
return redis.call('HMGET', key, 'id', 't', 'n', 'r', 'ca', 'x', 'rv')
