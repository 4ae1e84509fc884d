--[[
  enqueue: adds a batch of tasks atomically (SPEC E1, E2, E16, T2). `enqueue` is a batch of one.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now (epoch ms; '' = the server's TIME)
  ARGV[2]  dedupTtlMs
  ARGV[3]  serverClock ('1' when time is the server's, so that keys may expire physically)
  ARGV[4]  n, the number of tasks; then 17 values per task:
           tid (base64url id), id, qe (base64url queue), queue, payload (JSON), priority,
           priority key (17 digits), runAt ('' = now), maxAttempts, backoff baseMs, factor, maxMs,
           ike (base64url idempotency key, '' = none), idempotency key, runId ('' = none),
           dependencies (space-separated tids), ke (base64url concurrency key, '' = none, SPEC E20)
  Returns  { id1, created1, id2, created2, ... } (created: 1 or 0), in input order
  Errors   INVALID_STATE (the tenant is suspended), NOT_FOUND (a dependency does not exist);
           checked for the whole batch before the first write
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
local dedup_ttl = tonumber(ARGV[2])
local server_clock = ARGV[3]
local n = tonumber(ARGV[4])
local F = 17

local meta = redis.call('HMGET', B, 'suspended', 'tmo')
settle_timeouts(now, meta[2])
if meta[1] == '1' then return reject_with_details('INVALID_STATE', 'the tenant is suspended', { te = base_tenant() }) end

-- Validation: idempotency first (a repeat returns the first task whatever else it says), then
-- every dependency of a task to create must exist.
local results = {}
local first_in_batch = {}
for i = 0, n - 1 do
  local a = 4 + i * F
  local qe, ike = ARGV[a + 3], ARGV[a + 13]
  local existing = nil
  if ike ~= '' then
    local slot = qe .. ':' .. ike
    existing = first_in_batch[slot]
    if not existing then
      local stored = redis.call('GET', B .. ':ik:' .. slot)
      if stored then
        local exp, id = string.match(stored, '^(%d+)|(.*)$')
        if tonumber(exp) > now then existing = id end
      end
    end
    if not existing then first_in_batch[slot] = ARGV[a + 2] end
  end
  if existing then
    results[#results + 1] = { existing, 0 }
  else
    for _, dep in ipairs(words(ARGV[a + 16])) do
      if redis.call('EXISTS', tkey(dep)) == 0 then return reject_with_details('NOT_FOUND', 'a dependency of task ' .. (i + 1) .. ' does not exist', { tid = dep }) end
    end
    results[#results + 1] = { ARGV[a + 2], 1 }
  end
end

-- Every check passed: write. Orders are taken for the created tasks in one step; ready members
-- and counters are written per queue, in batches.
local created = 0
for i = 1, n do created = created + results[i][2] end
local ord = 0
if created > 0 then ord = redis.call('HINCRBY', B, 'tseq', created) - created end
local stamp_now = stamp(now)
local per_queue, queue_order = {}, {}
local indexed = {}
local function queue_batch(qe, name)
  local q = per_queue[qe]
  if not q then
    q = { name = name, ready = {}, counts = { all = 0 } }
    per_queue[qe] = q
    queue_order[#queue_order + 1] = qe
  end
  return q
end

local out = {}
for i = 0, n - 1 do
  local a = 4 + i * F
  local r = results[i + 1]
  out[#out + 1] = r[1]
  out[#out + 1] = r[2]
  if r[2] == 1 then
    local tid, qe = ARGV[a + 1], ARGV[a + 3]
    local t = tkey(tid)
    ord = ord + 1
    local ord16 = pad16(ord)
    local ra = now
    if ARGV[a + 8] ~= '' then ra = tonumber(ARGV[a + 8]) end
    local deps = words(ARGV[a + 16])
    local failed, pending = false, false
    for _, dep in ipairs(deps) do
      local st = redis.call('HGET', tkey(dep), 'st')
      if st == 'dead' or st == 'cancelled' then failed = true elseif st ~= 'completed' then pending = true end
    end
    local state = 'queued'
    if failed then state = 'cancelled' elseif pending then state = 'blocked' end
    -- The fields the fence, grant and settlement read and write come first, all present from the
    -- start: a small hash is a flat list that Redis searches from its head, and a field it lacks
    -- costs a search of the whole list (ck is '' for a keyless task for that reason).
    local ke = key_of(ARGV[a + 17])
    local fields = { 'st', state, 'ep', '0', 'li', '', 'el', '', 'lx', '', 'ce', '', 'qe', qe, 'ord', ord16, 'hd', '',
      'ck', ARGV[a + 17], 'con', '0', 'id', ARGV[a + 2], 'q', ARGV[a + 4], 'p', ARGV[a + 5], 'rs', '', 'at', '0',
      'lms', '', 'w', '', 'ua', stamp_now, 'res', 'null', 'pr', ARGV[a + 6], 'pk', ARGV[a + 7], 'ra', stamp(ra),
      'ma', ARGV[a + 9], 'bb', ARGV[a + 10], 'bf', ARGV[a + 11], 'bm', ARGV[a + 12], 'le', 'null', 'ca', stamp_now }
    if ARGV[a + 13] ~= '' then
      fields[#fields + 1] = 'ik'
      fields[#fields + 1] = ARGV[a + 14]
    end
    if ARGV[a + 15] ~= '' then
      fields[#fields + 1] = 'rid'
      fields[#fields + 1] = ARGV[a + 15]
    end
    if #deps > 0 then
      fields[#fields + 1] = 'dp'
      fields[#fields + 1] = ARGV[a + 16]
    end
    if failed then
      fields[#fields + 1] = 'cr'
      fields[#fields + 1] = DEPENDENCY_FAILED
    end
    redis.call('HSET', t, unpack(fields))
    local q = queue_batch(qe, ARGV[a + 4])
    indexed[#indexed + 1] = ord16
    indexed[#indexed + 1] = tid
    q.counts.all = q.counts.all + 1
    if COUNTED[state] then q.counts[state] = (q.counts[state] or 0) + 1 end
    emit('enqueued', qe, tid, now)
    if ke and not failed then key_task_started(qe, ke) end
    if failed then
      emit('cancelled', qe, tid, now)
    elseif pending then
      for _, dep in ipairs(deps) do
        redis.call('SADD', B .. ':dep:' .. dep, tid)
        redis.call('HSET', tkey(dep), 'hd', '1')
      end
    elseif ra <= now and not ke then
      q.ready[#q.ready + 1] = ready_member(ARGV[a + 7], ra, ord16, tid)
    else
      add_queued(t, tid, qe, ra, now, ARGV[a + 7], ord16, ke)
    end
    if ARGV[a + 13] ~= '' then
      local key = B .. ':ik:' .. qe .. ':' .. ARGV[a + 13]
      redis.call('SET', key, n2s(now + dedup_ttl) .. '|' .. ARGV[a + 2])
      expire_at(key, now + dedup_ttl, server_clock)
    end
  end
end

-- Ready members and the tenant's task index (B:tx) go in with one ZADD per queue and chunk (unpack
-- is bounded by Lua's C stack).
local CHUNK = 500
for first = 1, #indexed, 2 * CHUNK do
  redis.call('ZADD', B .. ':tx', unpack(indexed, first, math.min(first + 2 * CHUNK - 1, #indexed)))
end
for _, qe in ipairs(queue_order) do
  local q = per_queue[qe]
  redis.call('ZADD', B .. ':qn', 0, q.name)
  for first = 1, #q.ready, CHUNK do
    local args = {}
    for j = first, math.min(first + CHUNK - 1, #q.ready) do
      args[#args + 1] = '0'
      args[#args + 1] = q.ready[j]
    end
    redis.call('ZADD', qkey(qe, 'r'), unpack(args))
  end
  local n_key = qkey(qe, 'n')
  for _, state in ipairs({ 'all', 'blocked', 'cancelled' }) do
    if q.counts[state] then redis.call('HINCRBY', n_key, state, q.counts[state]) end
  end
end
publish()
return out
