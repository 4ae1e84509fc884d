--[[
  waitpoints: a tenant's signing secrets and its waitpoints (SPEC E25) (requires common).

  Keys (all under B):
    B:wsec         hash: kid -> '<createdAt>|<validUntil>|<secret>', validUntil '' while the
                   secret is the one that signs (secret: base64url, never returned by a call)
    B              field wkid: the kid of the secret that signs
    B:wp:<wpe>     hash, a waitpoint (wpe: its base64url id): id, tid, ke, kid, fp (the token's
                   fingerprint), x (expiresAt), ca (createdAt), and once delivered sid (the signal
                   id) and da (deliveredAt)
    B:wpt:<tid>    list of the task's waitpoints (wpe), in creation order
  Tokens are never stored. Lua cannot compute an HMAC: the client signs and checks a token's MAC
  with a secret a script returned (it depends only on the secret's bytes, which never change under
  a kid), and the script that writes checks again, at its own now, what can change.
]]

--- The validity end of secret kid ('' while it signs) and the secret, or nil when there is none.
local function secret_of(kid)
  local stored = redis.call('HGET', B .. ':wsec', kid)
  if not stored then return nil, nil end
  local valid_until, secret = string.match(stored, '^%d+|(%d*)|(.*)$')
  return valid_until, secret
end

--- Whether a secret's validity end ('' while it signs, nil when there is none) lets it verify at now.
local function secret_verifies(valid_until, now)
  return valid_until ~= nil and (valid_until == '' or tonumber(valid_until) > now)
end

--- Makes a new secret the one that signs.
local function add_current_secret(kid, secret, now)
  redis.call('HSET', B .. ':wsec', kid, n2s(now) .. '||' .. secret)
  redis.call('HSET', B, 'wkid', kid)
end
