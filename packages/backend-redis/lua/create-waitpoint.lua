--[[
  create-waitpoint: stores a waitpoint whose token the client signed with the secret
  prepare-waitpoint returned, a fenced holder call (SPEC E25, E5). The token itself is never
  stored: only its fingerprint.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  tid
  ARGV[3]  epoch
  ARGV[4]  leaseId (SPEC T4)
  ARGV[5]  wpe (base64url waitpoint id)
  ARGV[6]  waitpoint id
  ARGV[7]  ke (base64url signal key)
  ARGV[8]  kid of the secret that signed the token
  ARGV[9]  fingerprint of the token
  ARGV[10] expiresAt
  Returns  1, or 0 (nothing written) when kid no longer signs: a rotation came after
           prepare-waitpoint, and the client signs again
  Errors   the fence, checked before any write of the call
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
local tid, wpe = ARGV[2], ARGV[5]
settle_timeouts(now)
local fenced = fence(tkey(tid), tid, tonumber(ARGV[3]), ARGV[4], now, 'other')
if fenced ~= 'ok' then return fenced end
if redis.call('HGET', B, 'wkid') ~= ARGV[8] then return 0 end
redis.call('HSET', B .. ':wp:' .. wpe, 'id', ARGV[6], 'tid', tid, 'ke', ARGV[7], 'kid', ARGV[8], 'fp', ARGV[9], 'x', ARGV[10], 'ca', n2s(now))
redis.call('RPUSH', B .. ':wpt:' .. tid, wpe)
return 1
