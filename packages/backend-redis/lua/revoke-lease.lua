--[[
  revoke-lease: revokes the current lease (expired or not) and makes the task ready now, consuming
  no attempt; the holder's next call gets LEASE_REVOKED (SPEC E13).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  tid
  Returns  1 when a lease was revoked, 0 when the task held none
  Errors   NOT_FOUND, before any write of the call
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
local tid = ARGV[2]
local t = tkey(tid)
settle_timeouts(now)

local f = redis.call('HMGET', t, 'st', 'qe', 'ord', 'ck')
if not f[1] then return reject_with_details('NOT_FOUND', 'task not found', { tid = tid }) end
if f[1] ~= 'leased' then return 0 end
end_lease(t, tid, { qe = f[2], ord = f[3], ck = key_of(f[4]) }, 'queued', now)
redis.call('HSET', t, 'el', 'revoked', 'ra', n2s(now))
add_queued(t, tid, f[2], now, now)
hint(f[2])
publish()
return 1
