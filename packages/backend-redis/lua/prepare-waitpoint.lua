--[[
  prepare-waitpoint: the first half of createWaitpoint, a fenced holder call (SPEC E25, E5): the
  tenant's current secret, created from the client's fresh one when the tenant has none (a script
  has no secure random source), for the client to sign the token with (Lua has no HMAC).
  create-waitpoint then writes the waitpoint, fenced again.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  tid
  ARGV[3]  epoch
  ARGV[4]  leaseId (SPEC T4)
  ARGV[5]  kid of a fresh secret, used when the tenant has none
  ARGV[6]  that secret (base64url)
  Returns  { now, kid, secret } of the secret that signs
  Errors   the fence, checked before any write of the call
]]
--- @include "common"
--- @include "tasks"
--- @include "waitpoints"

local now = clock_now(ARGV[1])
local tid = ARGV[2]
settle_timeouts(now)
local fenced = fence(tkey(tid), tid, tonumber(ARGV[3]), ARGV[4], now, 'other')
if fenced ~= 'ok' then return fenced end
local kid = redis.call('HGET', B, 'wkid')
if not kid then
  kid = ARGV[5]
  add_current_secret(kid, ARGV[6], now)
end
local _, secret = secret_of(kid)
return { now, kid, secret }
