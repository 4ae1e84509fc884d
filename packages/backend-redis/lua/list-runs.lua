--[[
  list-runs: one page of runs in creation order or newest first, of one status or all, of one
  workflow or all (SPEC W5, W14, C5). The cursor is the creation order of the last run looked at.
  Reads only.

  A workflow's runs are found by walking the (status's) creation-order index and keeping those of
  the workflow, at most SCAN_LIMIT entries per call so that no call holds the server long: a page
  may then hold fewer than `limit` runs and still have a cursor (docs/decisions.md, W14 on Redis).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  status ('' = all)
  ARGV[2]  limit
  ARGV[3]  position (creation order: runs after it ascending, before it descending; '' = from the
           start)
  ARGV[4]  order ('asc' or 'desc')
  ARGV[5]  workflowId ('' = every workflow)
  Returns  { next cursor or nil, run records... }
  Flags    no-writes (it writes nothing, so it still answers when the server is out of memory)
]]
--- @include "common"
--- @include "runs"

local SCAN_LIMIT = 1000
local key = B .. ':runs'
if ARGV[1] ~= '' then key = B .. ':runs:' .. ARGV[1] end
local limit = tonumber(ARGV[2])
local descending = ARGV[4] == 'desc'
local workflow = ARGV[5]
local take = limit + 1
if workflow ~= '' then take = SCAN_LIMIT end
local found
if descending then
  local from = '+inf'
  if ARGV[3] ~= '' then from = '(' .. ARGV[3] end
  found = redis.call('ZREVRANGEBYSCORE', key, from, '-inf', 'WITHSCORES', 'LIMIT', 0, take)
else
  local from = '-inf'
  if ARGV[3] ~= '' then from = '(' .. ARGV[3] end
  found = redis.call('ZRANGEBYSCORE', key, from, '+inf', 'WITHSCORES', 'LIMIT', 0, take)
end
local out = { false }
local kept, last_kept = 0, nil
for i = 1, #found / 2 do
  local r = run_key('run', found[2 * i - 1])
  if workflow == '' or redis.call('HGET', r, 'wf') == workflow then
    -- One more run matches than the page holds: the next page starts after the page's last run.
    if kept == limit then
      out[1] = last_kept
      return out
    end
    out[#out + 1] = run_record(r)
    kept, last_kept = kept + 1, found[2 * i]
  end
end
-- Every run looked at fit; with a workflow, runs beyond the ones looked at may still match.
if workflow ~= '' and #found / 2 == take then out[1] = found[#found] end
return out
