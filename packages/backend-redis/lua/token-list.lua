--[[
  token-list: a tenant's tokens, oldest first, without secrets or hashes (SPEC T3). Reads only.

  KEYS[1]  G, the global base key
  ARGV[1]  te (base64url tenant id)
  Returns  records { id, tenantId, name, role, createdAt, expiresAt, revokedAt }...
  Flags    no-writes (it writes nothing, so it still answers when the server is out of memory)
]]
--- @include "common"

local out = {}
for _, ide in ipairs(redis.call('ZRANGE', B .. ':toks:' .. ARGV[1], 0, -1)) do
  out[#out + 1] = redis.call('HMGET', B .. ':tok:' .. ide, 'id', 't', 'n', 'r', 'ca', 'x', 'rv')
end
return out
