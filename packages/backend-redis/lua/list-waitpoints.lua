--[[
  list-waitpoints: a task's waitpoints in creation order, never a token (SPEC E25). Reads only;
  the client derives each one's state from the time returned.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  tid
  Returns  { now, { id, ke, kid, fingerprint, expiresAt, createdAt, signalId, deliveredAt }... }
           (signalId and deliveredAt nil until delivered); { now } for an unknown task
  Flags    no-writes
]]
--- @include "common"

local now = clock_now(ARGV[1])
local out = { now }
for _, wpe in ipairs(redis.call('LRANGE', B .. ':wpt:' .. ARGV[2], 0, -1)) do
  out[#out + 1] = redis.call('HMGET', B .. ':wp:' .. wpe, 'id', 'ke', 'kid', 'fp', 'x', 'ca', 'sid', 'da')
end
return out
