--[[
  put-definition: stores an immutable definition (SPEC W1). The same (id, version) with an equal
  spec (compared as canonical JSON, member order aside) succeeds with created 0.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  ide (base64url id)
  ARGV[3]  ve (base64url version)
  ARGV[4]  version
  ARGV[5]  canonical spec (JSON with sorted members)
  ARGV[6]  spec (JSON as given)
  Returns  { created (1/0), spec, createdAt }
  Errors   CONFLICT when the version exists with a different spec
]]
--- @include "common"

local now = clock_now(ARGV[1])
local key = B .. ':def:' .. ARGV[2] .. ':' .. ARGV[3]
local f = redis.call('HMGET', key, 'canon', 'spec', 'ca')
if f[1] then
  if f[1] ~= ARGV[5] then return reject_with_details('CONFLICT', 'the definition version exists with a different spec', { ide = ARGV[2], ve = ARGV[3] }) end
  return { 0, f[2], f[3] }
end
redis.call('HSET', key, 'ver', ARGV[4], 'canon', ARGV[5], 'spec', ARGV[6], 'ca', n2s(now))
redis.call('RPUSH', B .. ':defs:' .. ARGV[2], ARGV[3])
return { 1, ARGV[6], n2s(now) }
