--[[
  has-work: whether a task may be claimable now in one of the queues (SPEC E19): a queued task
  whose runAt has come in a queue that is neither paused nor full nor at its rate limit (E21), or
  a suspension whose timeout has come. A keyed task counts only when its key is in the fair order
  or blocked no longer (E20: a key at its limit is out of that order, so work only full keys hold
  wakes nobody). A suspended tenant has no work: its claims grant nothing (T2). A hint for
  waitForWork; claim is the truth. Reads only.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2…] qe of each queue
  Returns  1 or 0
  Flags    no-writes (it writes nothing, so it still answers when the server is out of memory)
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
if redis.call('HGET', B, 'suspended') == '1' then return 0 end
local due = redis.call('HGET', B, 'tmo')
if due and tonumber(due) <= now and #redis.call('ZRANGEBYSCORE', B .. ':tmo', '-inf', n2s(now), 'LIMIT', 0, 1) > 0 then return 1 end
for i = 2, #ARGV do
  local qe = ARGV[i]
  local cfg = redis.call('HMGET', B, 'c:' .. qe, 'p:' .. qe, 'rm:' .. qe, 'rp:' .. qe)
  local open = cfg[2] ~= '1'
  if open and cfg[1] then open = tonumber(cfg[1]) > redis.call('ZCOUNT', qkey(qe, 'l'), '(' .. n2s(now), '+inf') end
  if open and cfg[3] then open = tonumber(cfg[3]) > redis.call('ZCOUNT', qkey(qe, 'g'), '(' .. n2s(now - tonumber(cfg[4])), '+inf') end
  if open and (redis.call('ZCARD', qkey(qe, 'r')) > 0 or redis.call('ZCOUNT', qkey(qe, 's'), '-inf', NOW_TEXT) > 0) then return 1 end
  if open and (redis.call('ZCARD', qkey(qe, 'kf')) > 0 or redis.call('ZCOUNT', qkey(qe, 'kb'), '-inf', NOW_TEXT) > 0) then return 1 end
end
return 0
