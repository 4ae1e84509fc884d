--[[
  list-runs: one page of runs in creation order, of one status or all (SPEC W5, C5). The cursor is
  the creation order of the page's last run. Reads only.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  status ('' = all)
  ARGV[2]  limit
  ARGV[3]  after (creation order; 0 for the first page)
  Returns  { next cursor or nil, run records... }
  Flags    no-writes (it writes nothing, so it still answers when the server is out of memory)
]]
--- @include "common"
--- @include "runs"

local key = B .. ':runs'
if ARGV[1] ~= '' then key = B .. ':runs:' .. ARGV[1] end
local limit = tonumber(ARGV[2])
local found = redis.call('ZRANGEBYSCORE', key, '(' .. ARGV[3], '+inf', 'WITHSCORES', 'LIMIT', 0, limit + 1)
local out = { false }
local count = math.min(limit, #found / 2)
for i = 1, count do out[#out + 1] = run_record(run_key('run', found[2 * i - 1])) end
if #found / 2 > limit then out[1] = found[2 * count] end
return out
