--[[
  enqueue: adds a batch of tasks atomically (SPEC E1, E2, E16, T2). `enqueue` is a batch of one.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now (epoch ms; '' = the server's TIME)
  ARGV[2]  dedupTtlMs
  ARGV[3]  serverClock ('1' when time is the server's, so that keys may expire physically)
  ARGV[4]  n, the number of tasks; then 16 values per task:
           tid (base64url id), id, qe (base64url queue), queue, payload (JSON), priority,
           priority key (17 digits), runAt ('' = now), maxAttempts, backoff baseMs, factor, maxMs,
           ike (base64url idempotency key, '' = none), idempotency key, runId ('' = none),
           dependencies (space-separated tids)
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
local F = 16

settle_timeouts(now)
if tenant_suspended() then return reject('INVALID_STATE', 'the tenant is suspended') end

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
      if redis.call('EXISTS', tkey(dep)) == 0 then return reject('NOT_FOUND', 'a dependency of task ' .. (i + 1) .. ' does not exist') end
    end
    results[#results + 1] = { ARGV[a + 2], 1 }
  end
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
    local ord = redis.call('HINCRBY', B, 'tseq', 1)
    local ra = now
    if ARGV[a + 8] ~= '' then ra = tonumber(ARGV[a + 8]) end
    redis.call('HSET', t, 'id', ARGV[a + 2], 'qe', qe, 'q', ARGV[a + 4], 'p', ARGV[a + 5], 'pr', ARGV[a + 6], 'pk', ARGV[a + 7],
      'ord', n2s(ord), 'ra', n2s(ra), 'ma', ARGV[a + 9], 'bb', ARGV[a + 10], 'bf', ARGV[a + 11], 'bm', ARGV[a + 12],
      'con', '0', 'at', '0', 'ep', '0', 'le', 'null', 'res', 'null', 'ca', n2s(now), 'ua', n2s(now))
    if ARGV[a + 13] ~= '' then redis.call('HSET', t, 'ik', ARGV[a + 14]) end
    if ARGV[a + 15] ~= '' then redis.call('HSET', t, 'rid', ARGV[a + 15]) end
    local deps = words(ARGV[a + 16])
    local failed, pending = false, false
    for _, dep in ipairs(deps) do
      local st = redis.call('HGET', tkey(dep), 'st')
      if st == 'dead' or st == 'cancelled' then failed = true elseif st ~= 'completed' then pending = true end
    end
    if #deps > 0 then redis.call('HSET', t, 'dp', ARGV[a + 16]) end
    emit('enqueued', qe, tid, now)
    if failed then
      set_state(t, qe, nil, 'cancelled')
      redis.call('HSET', t, 'cr', DEPENDENCY_FAILED)
      emit('cancelled', qe, tid, now)
    elseif pending then
      set_state(t, qe, nil, 'blocked')
      for _, dep in ipairs(deps) do
        redis.call('SADD', B .. ':dep:' .. dep, tid)
        redis.call('HSET', tkey(dep), 'hd', '1')
      end
    else
      set_state(t, qe, nil, 'queued')
      add_queued(t, tid, qe, ra, now)
    end
    if ARGV[a + 13] ~= '' then
      local key = B .. ':ik:' .. qe .. ':' .. ARGV[a + 13]
      redis.call('SET', key, n2s(now + dedup_ttl) .. '|' .. ARGV[a + 2])
      expire_at(key, now + dedup_ttl, server_clock)
    end
  end
end
publish()
return out
