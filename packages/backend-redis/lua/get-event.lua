--[[
  get-event: the run's event with a caller's id (SPEC W15), read in one script so that a run
  replaced in between cannot pair one run's id with another's event. Reads only.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  re
  ARGV[2]  event id
  Returns  { sequence, stored event ('<createdAt>|<body JSON>') }, or nil when absent
  Flags    no-writes (it writes nothing, so it still answers when the server is out of memory)
]]
--- @include "common"
--- @include "runs"

local sequence = redis.call('HGET', run_key('evid', ARGV[1]), ARGV[2])
if not sequence then return nil end
return { sequence, redis.call('LINDEX', run_key('ev', ARGV[1]), tonumber(sequence) - 1) }
