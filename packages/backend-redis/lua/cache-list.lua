--[[
  cache-list: one page of execution ids with a live cached snapshot, in code-point (byte) order
  (SPEC S1, C5). The cursor is the page's last id. Reads only.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  limit
  ARGV[3]  '1' when a cursor is given, else '0'
  ARGV[4]  cursor (the previous page's last id)
  Returns  { next cursor or nil, ids... }
  Flags    no-writes (it writes nothing, so it still answers when the server is out of memory)
]]
--- @include "common"
--- @include "state"

local now = clock_now(ARGV[1])
local limit = tonumber(ARGV[2])
local from = '-'
if ARGV[3] == '1' then from = '(' .. ARGV[4] end
local ids = {}
local more = false
local batch = limit + 1
while true do
  local found = redis.call('ZRANGEBYLEX', B .. ':csidx', from, '+', 'LIMIT', 0, batch)
  for _, id in ipairs(found) do
    if snapshot_live(id, now) ~= nil then
      if #ids == limit then
        more = true
        break
      end
      ids[#ids + 1] = id
    end
  end
  if more or #found < batch then break end
  from = '(' .. found[#found]
end
local out = { false }
if more then out[1] = ids[#ids] end
for _, id in ipairs(ids) do out[#out + 1] = id end
return out
