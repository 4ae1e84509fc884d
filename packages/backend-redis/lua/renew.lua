--[[
  renew: extends a lease; same epoch, new expiresAt (SPEC E6, E5, E18).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  tid (base64url task id)
  ARGV[3]  epoch
  ARGV[4]  leaseId (SPEC T4)
  ARGV[5]  leaseMs ('' = the duration the task was claimed with)
  ARGV[6]  progress (JSON, '' = unchanged)
  Returns  the lease { id, queue, payload, attempt, epoch, leaseId, workerId, expiresAt, '' }
  Errors   the fence (NOT_FOUND, STALE_LEASE, INVALID_STATE, LEASE_REVOKED, LEASE_EXPIRED),
           checked before any write of the call
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
local tid = ARGV[2]
local t = tkey(tid)

settle_timeouts(now)
local fenced, task = fence(t, tid, tonumber(ARGV[3]), ARGV[4], now, 'other')
if fenced ~= 'ok' then return fenced end

local lease_ms
if ARGV[5] ~= '' then lease_ms = tonumber(ARGV[5]) else lease_ms = tonumber(redis.call('HGET', t, 'lms')) end
local lx = now + lease_ms
add_leased(tid, task.qe, task.ord, lx, task.ck)
redis.call('HSET', t, 'lx', n2s(lx), 'ua', stamp(now))
if ARGV[6] ~= '' then redis.call('HSET', t, 'pg', ARGV[6]) end
return lease_of(t)
