--[[
  append-frame: appends to the stream of the lease's attempt, a fenced write (SPEC E18, E5), and
  publishes 'frame <tid>' on the tenant's channel after the write, which wakes tailing readers (E28).

  KEYS[1]  B, the tenant's base key
  ARGV[1]  now ('' = server TIME)
  ARGV[2]  tid
  ARGV[3]  epoch
  ARGV[4]  leaseId (SPEC T4)
  ARGV[5]  data (JSON)
  Returns  the frame's sequence (per task and attempt, from 1)
  Errors   the fence, checked before any write of the call
]]
--- @include "common"
--- @include "tasks"

local now = clock_now(ARGV[1])
local tid = ARGV[2]
local t = tkey(tid)
settle_timeouts(now)
local fenced = fence(t, tid, tonumber(ARGV[3]), ARGV[4], now, 'other')
if fenced ~= 'ok' then return fenced end
local attempt = redis.call('HGET', t, 'at')
local sequence = redis.call('RPUSH', B .. ':fr:' .. tid .. ':' .. attempt, n2s(now) .. '|' .. ARGV[5])
redis.call('PUBLISH', CHANNEL, 'frame ' .. tid)
return sequence
