--[[
  common: helpers every script includes first.

  B is the base key of the script: the hash-tagged `{<prefix>:<tenant>}` of a tenant, or `{<prefix>}`
  for the global keys. Every key a script touches is B followed by a suffix, so all of them hash to
  B's Cluster slot.

  Numbers: Lua numbers are doubles, exact for integers below 2^53 (every time, epoch, priority and
  counter we keep); `tostring` prints only 14 digits, so numbers are always turned into strings by
  `n2s`, and fixed-width sort keys by `pad16`.
]]
local B = KEYS[1]

--- The time of this call: the injected clock's value when the client passed one, else the
--- server's TIME (allowed before writes: Redis 7 replicates a script's effects, not the script).
local function clock_now(arg)
  if arg ~= nil and arg ~= '' then return tonumber(arg) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function n2s(n) return string.format('%.0f', n) end

--- Fixed width, so that byte order is numeric order (non-negative integers below 10^16).
local function pad16(n) return string.format('%016.0f', n) end

--- A rejected call: returned (never raised) before the script's first write, so nothing is written.
--- The client maps `MOORING <CODE> <message>` to a MooringError with that code.
local function reject(code, message) return redis.error_reply('MOORING ' .. code .. ' ' .. message) end

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
