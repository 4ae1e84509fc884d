--[[
  latest-snapshot: the run's snapshot with the highest atSequence (SPEC W10). Reads only.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  re
  Returns  { atSequence, '<createdAt>|<state>' } or nil
  Flags    no-writes (it writes nothing, so it still answers when the server is out of memory)
]]
--- @include "common"
--- @include "runs"

local top = redis.call('ZREVRANGE', run_key('snapz', ARGV[1]), 0, 0)[1]
if not top then return false end
return { top, redis.call('HGET', run_key('snap', ARGV[1]), top) }
