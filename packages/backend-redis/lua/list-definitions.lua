--[[
  list-definitions: every version of a definition, in insertion order (SPEC W1). Reads only.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  ide (base64url id)
  Returns  { version, spec, createdAt, version, spec, createdAt, ... }
  Flags    no-writes (it writes nothing, so it still answers when the server is out of memory)
]]
--- @include "common"

local out = {}
for _, ve in ipairs(redis.call('LRANGE', B .. ':defs:' .. ARGV[1], 0, -1)) do
  local f = redis.call('HMGET', B .. ':def:' .. ARGV[1] .. ':' .. ve, 'ver', 'spec', 'ca')
  out[#out + 1] = f[1]
  out[#out + 1] = f[2]
  out[#out + 1] = f[3]
end
return out
