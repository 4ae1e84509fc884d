--[[
  claim: leases up to `limit` ready tasks of the given queues (SPEC E3, E4, E10, E17, T2).

  First the expired leases of these queues are reclaimed (oldest expiry first, at most 100, exactly
  as reclaim-expired does), then due scheduled tasks are moved into the claim order, then leases are
  granted in claim order (priority desc, runAt asc, enqueue order) across the queues, skipping
  paused queues and queues whose unexpired leases reach their concurrency, and granting in a
  rate-limited queue at most max minus the grants of the last perMs ms (SPEC E21: a sliding
  interval on the script's clock; the grants live in the queue's sorted set :g, scored by time,
  in the tenant's slot). Each pick is the head of a sorted set: O(log n) whatever the number of
  ready tasks.

  A queue with keyed tasks (B's kn:<qe> > 0) is served fairly (SPEC E20): one grant at a time, to
  the first in fair order of each open queue's first keyless ready task (:r) and first key (:kf,
  whose member order is the fair order), a key at keyConcurrency unexpired leases being blocked
  (:kb) when it reaches the front or when a grant fills it; keys blocked until now come back
  first. O(log n + log keys) per grant, whatever the number of keys.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  workerId
  ARGV[3]  leaseMs
  ARGV[4]  limit
  ARGV[5]  leaseIds, space-separated, at least `limit` of them: the n-th lease granted gets the
           n-th (SPEC T4; the client draws them from its CSPRNG, which a script does not have)
  ARGV[6…] qe of each queue (base64url, distinct)
  Returns  { expiresAt of every lease granted, lease... }, each lease { tid, qe, payload, attempt,
           epoch, leaseId, resumed, signals?, ke? } (see tasks.grant; ke, the task's concurrency
           key, with signals then present, empty when not resumed)
  Errors   INVALID_STATE when the tenant is suspended (nothing granted or reclaimed); VALIDATION
           when ARGV[5] holds fewer than `limit` leaseIds (nothing written)
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
local worker = ARGV[2]
local lease_ms_text = ARGV[3]
local limit = tonumber(ARGV[4])
local lease_ids = words(ARGV[5])
local FIRST_QUEUE = 6
-- A client bug, refused before the first write.
if #lease_ids < limit then return reject('VALIDATION', 'fewer leaseIds than the limit') end
local lx = now + tonumber(lease_ms_text)
local lx_text = n2s(lx)
local RECLAIM_LIMIT = 100

-- One read of the tenant's meta: status, the timeout bound, and per queue its settings, the
-- bounds of its scheduled tasks and leases, its rate limit's max and its count of keyed tasks.
-- A queue with neither reads nothing more (the drains without keys or limits pay for two fields);
-- one with a rate limit reads its interval, one with keyed tasks its keyConcurrency, when used.
local STRIDE = 6
local fields = { 'suspended', 'tmo' }
for i = FIRST_QUEUE, #ARGV do
  local qe = ARGV[i]
  local n = #fields
  fields[n + 1], fields[n + 2], fields[n + 3] = 'c:' .. qe, 'p:' .. qe, 's:' .. qe
  fields[n + 4], fields[n + 5], fields[n + 6] = 'l:' .. qe, 'rm:' .. qe, 'kn:' .. qe
end
local meta = redis.call('HMGET', B, unpack(fields))

settle_timeouts(now, meta[2])
if meta[1] == '1' then return reject_with_details('INVALID_STATE', 'the tenant is suspended', { te = base_tenant() }) end

-- Claim-side reclaim (SPEC E10): the oldest expiries of all claimed queues, merged; only queues
-- whose earliest lease may have expired are looked at.
local due = {}
for i = FIRST_QUEUE, #ARGV do
  local bound = meta[3 + (i - FIRST_QUEUE) * STRIDE + 3]
  if bound and tonumber(bound) <= now then due[#due + 1] = i end
end
if #due > 0 then
  local queues = {}
  for _, i in ipairs(due) do queues[#queues + 1] = ARGV[i] end
  reclaim_expired(queues, RECLAIM_LIMIT, now)
  for _, i in ipairs(due) do meta[3 + (i - FIRST_QUEUE) * STRIDE + 3] = redis.call('HGET', B, 'l:' .. ARGV[i]) end
end

-- The claimable queues, with how many leases each may still grant; `fair` when one has keyed tasks.
local open = {}
local fair = false
for i = FIRST_QUEUE, #ARGV do
  local qe = ARGV[i]
  local at = 3 + (i - FIRST_QUEUE) * STRIDE
  if meta[at + 1] ~= '1' then
    promote(qe, now, meta[at + 2])
    local room = limit
    if meta[at] then room = math.min(limit, tonumber(meta[at]) - redis.call('ZCOUNT', qkey(qe, 'l'), '(' .. NOW_TEXT, '+inf')) end
    local rated = meta[at + 4] ~= false
    if rated then
      -- A grant at g counts until g + perMs: those at or before now − perMs have left.
      local g = qkey(qe, 'g')
      local left = n2s(now - tonumber(redis.call('HGET', B, 'rp:' .. qe)))
      redis.call('ZREMRANGEBYSCORE', g, '-inf', left)
      room = math.min(room, tonumber(meta[at + 4]) - redis.call('ZCARD', g))
    end
    local keyed = meta[at + 5] and tonumber(meta[at + 5]) > 0
    if keyed then
      for _, ke in ipairs(redis.call('ZRANGEBYSCORE', qkey(qe, 'kb'), '-inf', NOW_TEXT)) do unblock_key(qe, ke) end
    end
    if room > 0 then
      local q = { qe = qe, room = room, bound = meta[at + 3], chosen = {}, taken = {} }
      if rated then q.rated = true end
      if keyed then q.keyed, q.kc, fair = true, redis.call('HGET', B, 'kc:' .. qe), true end
      open[#open + 1] = q
    end
  end
end

-- Take the `limit` first ready tasks in claim order across the open queues. One queue (the usual
-- case): ZPOPMIN takes them in one call. Several: each queue's first `room` members are merged
-- (members compare by their fixed-width prefix, so across queues too) and the chosen ones removed.
local picks = {}

if fair then
  --- The first key of q in fair order with room under keyConcurrency, or nil; full keys met on
  --- the way are blocked.
  local function first_key(q)
    while true do
      local m = redis.call('ZRANGE', qkey(q.qe, 'kf'), 0, 0)[1]
      if not m then return nil end
      local ke = string.sub(m, 66)
      if not block_when_full(q.qe, ke, q.kc, now) then return m, ke end
    end
  end
  -- Keyless candidates compare by the first 65 bytes of a fair member: a key of their own, never granted.
  local NEVER = pad16(0)
  while #picks < limit do
    local best, best_rank = nil, nil
    for _, q in ipairs(open) do
      if q.room > 0 then
        local head = redis.call('ZRANGE', qkey(q.qe, 'r'), 0, 0)[1]
        if head then
          local rank = string.sub(head, 1, 17) .. NEVER .. string.sub(head, 18, 49)
          if not best_rank or rank < best_rank then best, best_rank = { q, head }, rank end
        end
        if q.keyed then
          local m, ke = first_key(q)
          if m and (not best_rank or string.sub(m, 1, 65) < best_rank) then best, best_rank = { q, nil, ke }, string.sub(m, 1, 65) end
        end
      end
    end
    if not best then break end
    local q, member, ke = best[1], best[2], best[3]
    if ke then
      member = redis.call('ZRANGE', kkey(q.qe, ke, 'r'), 0, 0)[1]
      redis.call('ZREM', kkey(q.qe, ke, 'r'), member)
      redis.call('ZREM', qkey(q.qe, 'kt'), string.sub(member, 50))
      redis.call('HSET', kkey(q.qe, ke), 'g', n2s(redis.call('HINCRBY', B, 'kg', 1)))
      redis.call('ZADD', kkey(q.qe, ke, 'l'), lx_text, string.sub(member, 34))
      refresh_key(q.qe, ke)
      -- A key this grant filled leaves the fair order now, so waitForWork does not see it as work.
      block_when_full(q.qe, ke, q.kc, now)
    else
      redis.call('ZREM', qkey(q.qe, 'r'), member)
    end
    q.room = q.room - 1
    picks[#picks + 1] = { q, member, ke }
  end
elseif #open == 1 then
  local q = open[1]
  local popped = redis.call('ZPOPMIN', qkey(q.qe, 'r'), q.room)
  for j = 1, #popped, 2 do picks[#picks + 1] = { q, popped[j] } end
elseif #open > 1 then
  for _, q in ipairs(open) do
    for _, member in ipairs(redis.call('ZRANGEBYLEX', qkey(q.qe, 'r'), '-', '+', 'LIMIT', 0, q.room)) do picks[#picks + 1] = { q, member } end
  end
  table.sort(picks, function(x, y) return x[2] < y[2] end)
  for j = #picks, limit + 1, -1 do picks[j] = nil end
  for _, pick in ipairs(picks) do
    local chosen = pick[1].chosen
    chosen[#chosen + 1] = pick[2]
  end
  for _, q in ipairs(open) do
    if #q.chosen > 0 then redis.call('ZREM', qkey(q.qe, 'r'), unpack(q.chosen)) end
  end
end

local leases = { lx_text }
for _, pick in ipairs(picks) do
  local q = pick[1]
  local lease_id = lease_ids[#leases]
  local lease, member = grant(pick[2], q.qe, worker, lease_id, lease_ms_text, lx_text, now)
  if pick[3] then
    lease[8] = lease[8] or {}
    lease[9] = pick[3]
  end
  leases[#leases + 1] = lease
  if q.rated then redis.call('ZADD', qkey(q.qe, 'g'), n2s(now), lease_id) end
  q.taken[#q.taken + 1] = lx_text
  q.taken[#q.taken + 1] = member
end
for _, q in ipairs(open) do
  if #q.taken > 0 then
    redis.call('ZADD', qkey(q.qe, 'l'), unpack(q.taken))
    lower_lease_bound(q.qe, lx, lx_text, q.bound)
  end
end
publish()
return leases
