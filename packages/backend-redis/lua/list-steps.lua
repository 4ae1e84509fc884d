--[[
  list-steps: every step of a run as stored (SPEC W6); the client orders them by position. Reads
  only. (A script rather than HGETALL so that step ids such as "__proto__" stay plain strings.)

  KEYS[1]  B, the tenant's base key
  ARGV[1]  re (base64url run id)
  Returns  { step id, '<position>|<createdAt>|<updatedAt>|<body>', ... }
  Flags    no-writes (it writes nothing, so it still answers when the server is out of memory)
]]
--- @include "common"

return redis.call('HGETALL', B .. ':steps:' .. ARGV[1])
