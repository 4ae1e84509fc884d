--[[
  tenant-create: creates a tenant record (SPEC T2). The record lives in the tenant's own slot, so
  that enqueue and claim read its status atomically; the global listing index is written by the
  client before this script (a record is never unlisted; a listed id without a record is skipped).

  KEYS[1]  B, the base key of the tenant being created
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  id
  ARGV[3]  name
  ARGV[4]  status ('active' or 'suspended')
  Returns  { id, name, status, createdAt, updatedAt }
  Errors   CONFLICT when the tenant exists
]]
--- @include "common"
--- @include "tenants"

local now = n2s(clock_now(ARGV[1]))
local rec = B .. ':rec'
if redis.call('EXISTS', rec) == 1 then return reject_with_details('CONFLICT', 'a tenant with this id exists', { tenantId = ARGV[2] }) end
redis.call('HSET', rec, 'id', ARGV[2], 'name', ARGV[3], 'status', ARGV[4], 'ca', now, 'ua', now)
copy_status(ARGV[4])
return redis.call('HMGET', rec, 'id', 'name', 'status', 'ca', 'ua')
