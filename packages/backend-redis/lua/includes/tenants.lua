--[[
  tenants: the tenant record's copy of its status (requires common).

  The record is B:rec (id, name, status, ca, ua). Its status is also kept as B's field
  `suspended` ('1' while suspended), because enqueue and claim read B's fields anyway: one read
  instead of two on the hot path (SPEC T2).
]]

local function copy_status(status)
  if status == 'suspended' then redis.call('HSET', B, 'suspended', '1') else redis.call('HDEL', B, 'suspended') end
end
