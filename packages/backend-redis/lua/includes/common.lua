--[[
  common: helpers every script includes first.

  B is the base key of the script: the hash-tagged `{<prefix>:<tenant>}` of a tenant, or `{<prefix>}`
  for the global keys. Every key a script touches is B followed by a suffix, so all of them hash to
  B's Cluster slot.

  Numbers: Lua numbers are doubles, exact for integers below 2^53 (every time, epoch, priority and
  counter we keep); `tostring` and `..` print only 14 digits, so numbers are turned into text by
  `n2s` (or `stamp` for times), and fixed-width sort keys by `pad16`, both with an integer format
  (a float format costs twice as much, and a number handed to redis.call is printed by Redis with
  a float format: hot paths pass text). Text read from Redis is passed on as it is.

  The loader (src/scripts.ts) builds, from these files, the function library the backend loads on
  each primary, and for each script the source EVAL runs where functions cannot be used: the
  script with the top-level `local` definitions it needs, transitively, in file order.

  Definitions marked `@per-call` hold the state of one call: in a script they are set as the script
  starts, as every definition is; in the function library (src/scripts.ts) they are declared once
  and set at the start of every function.
]]
--- @per-call
local B = KEYS[1]

local function n2s(n) return string.format('%d', n) end

-- The time of this call and its decimal text, set once by clock_now.
local NOW, NOW_TEXT = nil, nil

--- The time of this call: the injected clock's value when the client passed one, else the
--- server's TIME (allowed before writes: Redis 7 replicates a script's effects, not the script).
local function clock_now(arg)
  if arg ~= nil and arg ~= '' then
    NOW = tonumber(arg)
    NOW_TEXT = n2s(NOW)
  else
    -- Seconds and microseconds as text: the milliseconds are the first 3 of 6 microsecond digits.
    local t = redis.call('TIME')
    local us = t[2]
    NOW_TEXT = t[1] .. string.sub(string.rep('0', 6 - #us) .. us, 1, 3)
    NOW = tonumber(NOW_TEXT)
  end
  return NOW
end

--- n2s for times: the call's own time is formatted once (most stamps are `now`).
local function stamp(n)
  if n == NOW then return NOW_TEXT end
  return n2s(n)
end

--- Fixed width, so that byte order is numeric order (non-negative integers below 10^16).
local function pad16(n) return string.format('%016d', n) end

--- A rejected call: returned (never raised) before the script's first write, so nothing is written.
--- The client maps `MOORING <CODE> <message>` to a MooringError with that code.
local function reject(code, message) return redis.error_reply('MOORING ' .. code .. ' ' .. message) end

--- A rejection by the fence of a holder call (SPEC E5): `MOORING <CODE> <message> FENCE <json>`,
--- the JSON holding the fields of core's FenceErrorDetails: the task's key id (base64url; the
--- client decodes it to taskId), the lease's epoch and, when the task exists, its epoch and state.
local function reject_with_fields(code, message, tid, lease_epoch, current_epoch, state)
  local fields = cjson.encode({ tid = tid, leaseEpoch = lease_epoch, currentEpoch = current_epoch, state = state })
  return redis.error_reply('MOORING ' .. code .. ' ' .. message .. ' FENCE ' .. fields)
end

--- A rejection with the fields of core's details shape for its situation (rules/details.ts):
--- `MOORING <CODE> <message> DETAILS <json>`. Ids travel as their key form (base64url) under `re`
--- (runId), `tid` (taskId), `te` (tenantId), `ide` (workflowId) and `ve` (version); the client
--- decodes them.
local function reject_with_details(code, message, details)
  return redis.error_reply('MOORING ' .. code .. ' ' .. message .. ' DETAILS ' .. cjson.encode(details))
end

--- The key form (base64url) of the tenant whose base B is: B is `{<prefix>:<te>}`, and neither
--- the prefix nor the base64url id holds ':' or '}'. For the details of a rejection.
local function base_tenant() return string.match(B, ':([^:}]*)}$') end

--- Splits on single spaces (the separator of lists of base64url tokens, which never hold a space).
local function words(s)
  local out = {}
  if s == nil or s == false or s == '' then return out end
  for w in string.gmatch(s, '[^ ]+') do out[#out + 1] = w end
  return out
end

--- Physical expiry for a logical one, only when time is the server's own clock (`serverClock`
--- "1"): Redis cannot expire keys by an injected clock it does not see, so then the logical
--- expiry stored beside the value is the only one.
local function expire_at(key, at, serverClock)
  if serverClock == '1' then redis.call('PEXPIREAT', key, n2s(at)) end
end

--- Like expire_at, but never shortens a later expiry already set (a list of entries lives as long
--- as its longest-lived entry).
local function extend_expiry(key, at, serverClock)
  if serverClock ~= '1' then return end
  local current = redis.call('PEXPIRETIME', key)
  if current < 0 or current < at then redis.call('PEXPIREAT', key, n2s(at)) end
end
