--[[
  tenant-update: changes a tenant's name and/or status (SPEC T2).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  '1' when a name is given, else '0'
  ARGV[3]  name
  ARGV[4]  status ('' = unchanged)
  Returns  { id, name, status, createdAt, updatedAt }
  Errors   NOT_FOUND
]]
--- @include "common"
--- @include "tenants"

local now = n2s(clock_now(ARGV[1]))
local rec = B .. ':rec'
if redis.call('EXISTS', rec) == 0 then return reject_with_details('NOT_FOUND', 'tenant not found', { te = base_tenant() }) end
if ARGV[2] == '1' then redis.call('HSET', rec, 'name', ARGV[3]) end
if ARGV[4] ~= '' then
  redis.call('HSET', rec, 'status', ARGV[4])
  copy_status(ARGV[4])
end
redis.call('HSET', rec, 'ua', now)
return redis.call('HMGET', rec, 'id', 'name', 'status', 'ca', 'ua')
