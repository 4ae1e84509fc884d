--[[
  token-validate: looks a token up by the SHA-256 of its secret (SPEC T3). Reads only; the client
  compares the stored hash with the presented one in constant time.

  KEYS[1]  G, the global base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  hash (hex SHA-256 of the presented token)
  Returns  { id, tenantId, name, role, expiresAt, storedHash } or nil when unknown, revoked or
           expired
  Flags    no-writes (it writes nothing, so it still answers when the server is out of memory)
]]
--- @include "common"

local now = clock_now(ARGV[1])
local ide = redis.call('GET', B .. ':tokh:' .. ARGV[2])
if not ide then return false end
local f = redis.call('HMGET', B .. ':tok:' .. ide, 'id', 't', 'n', 'r', 'x', 'h', 'rv')
if not f[1] or f[7] then return false end
if f[5] and now >= tonumber(f[5]) then return false end
return { f[1], f[2], f[3], f[4], f[5], f[6] }
