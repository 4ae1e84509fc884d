--[[
  rotate-waitpoint-secret: a new secret of the tenant (the client's fresh one: a script has no
  secure random source) becomes the one that signs (SPEC E25). Every secret that still verifies
  verifies until now + graceMs, or until its own end when that comes sooner (core's graceEnd:
  a rotation never extends an earlier grace); those that no longer verify are dropped. One script,
  so concurrent rotations and a first createWaitpoint leave exactly one secret that signs.

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  graceMs
  ARGV[3]  kid of the new secret
  ARGV[4]  the new secret (base64url)
  Returns  { previousKid, graceUntil }: the kid that signed until now and now + graceMs, both ''
           when the tenant had no secret
]]
--- @include "common"
--- @include "waitpoints"

local now = clock_now(ARGV[1])
local grace_until = now + tonumber(ARGV[2])
local previous = redis.call('HGET', B, 'wkid')
local secrets = B .. ':wsec'
local stored = redis.call('HGETALL', secrets)
for i = 1, #stored, 2 do
  local created, valid_until, secret = string.match(stored[i + 1], '^(%d+)|(%d*)|(.*)$')
  if secret_verifies(valid_until, now) then
    local ends = grace_until
    if valid_until ~= '' then ends = math.min(tonumber(valid_until), grace_until) end
    redis.call('HSET', secrets, stored[i], created .. '|' .. n2s(ends) .. '|' .. secret)
  else
    redis.call('HDEL', secrets, stored[i])
  end
end
add_current_secret(ARGV[3], ARGV[4], now)
if not previous then return { '', '' } end
return { previous, n2s(grace_until) }
