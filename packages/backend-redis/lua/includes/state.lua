--[[
  state: the cache's byte values and cached snapshots (requires common).

  Keys (all under B):
    B:kv:<ke>    hash {v: bytes, x: expiresAt (absent = never)}; ke is the base64url key. With the
                 server's clock the key also expires physically at x (PEXPIREAT).
    B:exk:<exe>  set of the ke of every value owned by execution exe (base64url execution id), for
                 deleteExecutionState (SPEC S4)
    B:cs         hash: execution id -> '<sequence>|<savedAt>|<expiresAt or empty>|<state JSON>'
    B:csidx      sorted set (score 0): execution ids, in byte (= code point) order, for listing
    B:csx        sorted set (score expiresAt): execution ids whose snapshot has a TTL, for purging
  An entry is live while now < expiresAt: an expired one is invisible at once, whether or not it
  was physically removed (SPEC S2).
]]
local PURGE_LIMIT = 100

--- The live value of a kv key, or nil.
local function kv_live(k, now)
  local f = redis.call('HMGET', k, 'v', 'x')
  if not f[1] then return nil end
  if f[2] and now >= tonumber(f[2]) then return nil end
  return f[1]
end

--- Writes a value, replacing any value and TTL; indexes it under its execution when it has one.
local function kv_write(k, ke, value, ttl, now, server_clock, exe)
  redis.call('DEL', k)
  if ttl ~= '' then
    local x = now + tonumber(ttl)
    redis.call('HSET', k, 'v', value, 'x', n2s(x))
    expire_at(k, x, server_clock)
  else
    redis.call('HSET', k, 'v', value)
  end
  if exe ~= '' then redis.call('SADD', B .. ':exk:' .. exe, ke) end
end

--- The live cached snapshot of an execution: { sequence, savedAt, state } or nil.
local function snapshot_live(id, now)
  local entry = redis.call('HGET', B .. ':cs', id)
  if not entry then return nil end
  local sequence, saved, expires, state = string.match(entry, '^(%d+)|(%d+)|(%d*)|(.*)$')
  if expires ~= '' and now >= tonumber(expires) then return nil end
  return { sequence, saved, state }
end

local function snapshot_drop(id)
  redis.call('HDEL', B .. ':cs', id)
  redis.call('ZREM', B .. ':csidx', id)
  redis.call('ZREM', B .. ':csx', id)
end

--- Physically removes cached snapshots that expired (bounded per call).
local function snapshot_purge(now)
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', B .. ':csx', '-inf', n2s(now), 'LIMIT', 0, PURGE_LIMIT)) do
    snapshot_drop(id)
  end
end
