--[[
  signals: delivery and buffering of signals, shared by the key signal (SPEC E15), the token
  signal of a waitpoint (SPEC E25) and suspend (SPEC E14) (requires common, tasks).

  Keys (all under B):
    B:sik:<ike>        string 'expiresAt|signalId': the first signal of an idempotency key
    B:sb:<ke>          list of buffered signals on key ke for any task, oldest first, each
                       '<seq 16>|<expiresAt>|<signal>'
    B:sbt:<tid>:<ke>   the same, buffered for task tid only (a waitpoint's signal, SPEC E25);
                       tid and ke are base64url, which holds no ':', so the name is unambiguous
  A signal is stored as 'signalId|createdAt|keyB64|payload'; seq is B's counter sigseq, shared by
  both kinds of buffer, so that suspend takes what it finds in buffering order.
]]

--- The first signal id of idempotency key ike (base64url, '' = none) while its window lasts, or nil.
local function first_signal(ike, now)
  if ike == '' then return nil end
  local stored = redis.call('GET', B .. ':sik:' .. ike)
  if not stored then return nil end
  local exp, first = string.match(stored, '^(%d+)|(.*)$')
  if tonumber(exp) > now then return first end
  return nil
end

--- A new signal on key ke: its stored form and buffering sequence. Remembers idempotency key ike
--- (when given) for dedup_ttl (text, ms).
local function new_signal(sid, ke, ike, payload, now, dedup_ttl, server_clock)
  local seq = redis.call('HINCRBY', B, 'sigseq', 1)
  if ike ~= '' then
    local key = B .. ':sik:' .. ike
    local exp = now + tonumber(dedup_ttl)
    redis.call('SET', key, n2s(exp) .. '|' .. sid)
    expire_at(key, exp, server_clock)
  end
  return sid .. '|' .. n2s(now) .. '|' .. ke .. '|' .. payload, seq
end

--- Attaches a signal to task tid, suspended on its key, and resumes the task when its signals now
--- satisfy its mode (any: this one does; all: every key it waits on has one). Returns the task's id.
local function deliver_signal(tid, signal, now)
  local t = tkey(tid)
  local ts = B .. ':ts:' .. tid
  redis.call('RPUSH', ts, signal)
  redis.call('HSET', t, 'ua', n2s(now))
  local f = redis.call('HMGET', t, 'id', 'sm', 'sk')
  local satisfied = true
  if f[2] == 'all' then
    local signalled = {}
    for _, entry in ipairs(redis.call('LRANGE', ts, 0, -1)) do
      signalled[string.match(entry, '^[^|]*|[^|]*|([^|]*)|')] = true
    end
    for _, key in ipairs(words(f[3])) do
      if not signalled[key] then satisfied = false end
    end
  end
  if satisfied then resume(t, tid, now, false, now) end
  return f[1]
end

--- Buffers a signal of sequence seq in list `buffer` for signal_ttl (text, ms), for suspend.
local function buffer_signal(buffer, seq, signal, now, signal_ttl, server_clock)
  local exp = now + tonumber(signal_ttl)
  redis.call('RPUSH', buffer, pad16(seq) .. '|' .. n2s(exp) .. '|' .. signal)
  extend_expiry(buffer, exp, server_clock)
end

--- Empties list `buffer`, adding its live signals to `taken` as { seq, signal }; true when there was one.
local function take_buffered(buffer, now, taken)
  local found = false
  for _, entry in ipairs(redis.call('LRANGE', buffer, 0, -1)) do
    local seq, exp, signal = string.match(entry, '^(%d+)|(%d+)|(.*)$')
    if tonumber(exp) > now then
      taken[#taken + 1] = { seq, signal }
      found = true
    end
  end
  redis.call('DEL', buffer)
  return found
end
