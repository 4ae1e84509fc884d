--[[
  list-queues: one page of the names of the tenant's queues that have a task or settings, in
  byte order of their UTF-8 names, which is code-point order (SPEC E26, C5). The client reads
  each queue's stats with queue-stats. The cursor is the page's last name: queues never leave
  B:qn, so no walk repeats or skips one.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  after (the previous page's last name; '' for the first page)
  ARGV[2]  '1' when ARGV[1] is a cursor (a first page's '' and a queue named '' differ)
  ARGV[3]  limit
  Returns  { next cursor (a name) or nil, names... }, or 0 when the cursor names no queue of the
           tenant (forged, or another tenant's): the client's VALIDATION
  Flags    no-writes
]]
--- @include "common"

local index = B .. ':qn'
local from = '-'
if ARGV[2] == '1' then
  if not redis.call('ZSCORE', index, ARGV[1]) then return 0 end
  from = '(' .. ARGV[1]
end
local limit = tonumber(ARGV[3])
local names = redis.call('ZRANGEBYLEX', index, from, '+', 'LIMIT', 0, limit + 1)
local out = { false }
for i = 1, math.min(limit, #names) do out[#out + 1] = names[i] end
if #names > limit then out[1] = names[limit] end
return out
