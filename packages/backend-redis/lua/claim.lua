--[[
  claim: leases up to `limit` ready tasks of the given queues (SPEC E3, E4, E10, E17, T2).

  First the expired leases of these queues are reclaimed (oldest expiry first, at most 100, exactly
  as reclaim-expired does), then due scheduled tasks are moved into the claim order, then leases are
  granted in claim order (priority desc, runAt asc, enqueue order) across the queues, skipping
  paused queues and queues whose unexpired leases reach their concurrency. Each pick is the head of
  a sorted set: O(log n) whatever the number of ready tasks.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  workerId
  ARGV[3]  leaseMs
  ARGV[4]  limit
  ARGV[5…] qe of each queue (base64url, distinct)
  Returns  array of leases: { id, queue, payload, attempt, epoch, workerId, expiresAt, resumed,
           signals? } (see tasks.grant)
  Errors   INVALID_STATE when the tenant is suspended (nothing granted or reclaimed)
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
local worker = ARGV[2]
local lease_ms = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local RECLAIM_LIMIT = 100

-- One read of the tenant's meta: status, the timeout bound, and per queue its settings and the
-- bounds of its scheduled tasks and leases.
local fields = { 'suspended', 'tmo' }
for i = 5, #ARGV do
  local qe = ARGV[i]
  fields[#fields + 1] = 'c:' .. qe
  fields[#fields + 1] = 'p:' .. qe
  fields[#fields + 1] = 's:' .. qe
  fields[#fields + 1] = 'l:' .. qe
end
local meta = redis.call('HMGET', B, unpack(fields))

settle_timeouts(now, meta[2])
if meta[1] == '1' then return reject('INVALID_STATE', 'the tenant is suspended') end

-- Claim-side reclaim (SPEC E10): the oldest expiries of all claimed queues, merged; only queues
-- whose earliest lease may have expired are looked at.
local expired = {}
for i = 5, #ARGV do
  local bound = meta[3 + (i - 5) * 4 + 3]
  if bound and tonumber(bound) <= now then
    local found = redis.call('ZRANGEBYSCORE', qkey(ARGV[i], 'l'), '-inf', n2s(now), 'WITHSCORES', 'LIMIT', 0, RECLAIM_LIMIT)
    for j = 1, #found, 2 do expired[#expired + 1] = { tonumber(found[j + 1]), found[j] } end
  end
end
if #expired > 0 then
  table.sort(expired, function(x, y)
    if x[1] ~= y[1] then return x[1] < y[1] end
    return x[2] < y[2]
  end)
  for i = 1, math.min(#expired, RECLAIM_LIMIT) do
    local tid = string.sub(expired[i][2], 17)
    local t = tkey(tid)
    consume_attempt(t, tid, LEASE_EXPIRED_ERROR, true, now)
    redis.call('HSET', t, 'el', 'expired')
    emit('lease_expired', redis.call('HGET', t, 'qe'), tid, now)
  end
  for i = 5, #ARGV do
    local slot = 3 + (i - 5) * 4 + 3
    if meta[slot] and tonumber(meta[slot]) <= now then
      reset_bound('l:' .. ARGV[i], qkey(ARGV[i], 'l'))
      meta[slot] = redis.call('HGET', B, 'l:' .. ARGV[i])
    end
  end
end

-- The head of each claimable queue, with its remaining capacity (nil: unlimited).
local heads = {}
for i = 5, #ARGV do
  local qe = ARGV[i]
  local at = 3 + (i - 5) * 4
  if meta[at + 1] ~= '1' then
    promote(qe, now, meta[at + 2])
    local cap = nil
    if meta[at] then cap = tonumber(meta[at]) - redis.call('ZCOUNT', qkey(qe, 'l'), '(' .. n2s(now), '+inf') end
    if cap == nil or cap > 0 then
      local head = redis.call('ZRANGEBYLEX', qkey(qe, 'r'), '-', '+', 'LIMIT', 0, 1)[1]
      if head then heads[#heads + 1] = { qe = qe, cap = cap, head = head, bound = meta[at + 3] } end
    end
  end
end

local leases = {}
while #leases < limit and #heads > 0 do
  local best = 1
  for i = 2, #heads do
    if heads[i].head < heads[best].head then best = i end
  end
  local h = heads[best]
  local tid = string.sub(h.head, 50)
  local lease = grant(tkey(tid), tid, h.head, h.qe, worker, lease_ms, now, h.bound)
  leases[#leases + 1] = lease
  if not h.bound or tonumber(lease[7]) < tonumber(h.bound) then h.bound = lease[7] end
  if h.cap then h.cap = h.cap - 1 end
  local nextHead = nil
  if #leases < limit and (h.cap == nil or h.cap > 0) then
    nextHead = redis.call('ZRANGEBYLEX', qkey(h.qe, 'r'), '-', '+', 'LIMIT', 0, 1)[1]
  end
  if nextHead then h.head = nextHead else table.remove(heads, best) end
end
publish()
return leases
