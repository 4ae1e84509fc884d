--[[
  tasks: the task state machine shared by the engine scripts and `commit` (requires common).

  Keys (all under B, the tenant's base; `tid` is the base64url task id, `qe` the base64url queue):
    B:t:<tid>           hash, the task (fields listed in the README)
    B:dep:<tid>         set of tids that depend on the task
    B:ts:<tid>          list of signals delivered while suspended
    B:tr:<tid>          list of signals of the last resumption, carried by every lease until the
                        next suspension (field rs: '1' resumed by signals, '2' timed out)
    B:q:<qe>:r          sorted set (score 0, by member): ready tasks, member
                        <priority key 17><runAt 16><order 16><tid>, so byte order is claim order
                        (ZPOPMIN takes the head: equal scores order by member)
    B:q:<qe>:s          sorted set (score runAt): queued tasks not yet moved to :r
    B:q:<qe>:l          sorted set (score expiresAt, member <order 16><tid>): leased tasks
    B:q:<qe>:n          hash: `all` (tasks ever enqueued in the queue) and the counts of blocked,
                        suspended, dead and cancelled tasks; a queued task is in :r or :s and a
                        leased one in :l, and completed = all - every other state, so the hot
                        paths keep no counter
    B:q:<qe>:dl         sorted set (score death order): dead tasks of the queue
    B:lq                sorted set (score: B's l:<qe>, member qe): the queues that hold leases,
                        by their lease-expiry bound, so that a sweep finds the expired leases of
                        the tenant without a tenant-wide lease index
    B:dl                sorted set (score death order): every dead task
    B:tmo               sorted set (score timeoutAt): suspended tasks with a timeout
    B:tx                sorted set (score order, member tid): every task of the tenant, whatever
                        its state, in enqueue order, for listTasks (SPEC E26; layout 3: migrate
                        indexes the tasks of layout 2)
    B:qn                sorted set (score 0, member the raw queue name): every queue that has a
                        task or settings, by name in byte order (code points), for listQueues
    B:sw:<ke>           sorted set (score order): tasks suspended on signal key ke
    B                   hash, the tenant's meta: counters (tseq, sigseq, death, runseq), suspended
                        ('1' while the tenant is suspended), c:<qe> / p:<qe> (a queue's
                        concurrency / paused), and lower bounds that let the hot paths skip work:
                        tmo (earliest suspension timeout), s:<qe> (earliest scheduled runAt),
                        l:<qe> (earliest lease expiry, mirrored in B:lq). A bound is lowered
                        whenever an earlier entry is added and recomputed when its work is done; a
                        bound lower than the truth only costs a look, so removals leave it as it is.
  Concurrency keys (SPEC E20; `ke` is the base64url key, stored in the task's field ck: '' for a
  keyless task, written with the fields the fence reads so that reading it never scans the whole
  hash; absent in tasks enqueued before E20, which reads the same). A keyed task waits in its key's
  sets, not in :r, and claim serves keys in fair order:
    B:q:<qe>:kr:<ke>    sorted set like :r: the key's ready tasks, in E3 order (FIFO in the key)
    B:q:<qe>:kl:<ke>    sorted set like :l: the key's leases, for its count of unexpired ones
    B:q:<qe>:k:<ke>     hash: g (the tenant's grant count at the key's latest lease, B's kg; absent:
                        never granted), n (non-terminal tasks: the key and its sets go with the
                        last, so a key that comes back counts as never granted), m (its member of
                        :kf, '' when none), b ('1' while blocked)
    B:q:<qe>:kf         sorted set (score 0) of the keys with a ready task and room, member
                        <head priority key 17><g 16><head runAt 16><head order 16><ke>: byte order
                        is the fair order, and a keyless task compares as <17><0 16><16><16>
    B:q:<qe>:kb         sorted set (score: blocked until) of the keys found at keyConcurrency
                        unexpired leases: out of :kf until their earliest lease expires (claim) or
                        one of their leases ends
    B:q:<qe>:kt         sorted set (score runAt, member tid): every keyed ready task, for
                        queue-stats' count and oldest ready task
    B                   also kc:<qe> (the queue's keyConcurrency) and kn:<qe> (its non-terminal
                        keyed tasks: claim takes the fair path only while it is positive)
  Stored states: queued (reads ready or scheduled by runAt), leased, suspended, blocked, completed,
  dead, cancelled. A task's order `ord` is stored as its 16-digit sort key, so index members are
  built by concatenation alone.
]]
--- @per-call
local CHANNEL = B .. ':ch'
local PROMOTE_LIMIT = 1000
local SETTLE_LIMIT = 1000
local LEASE_EXPIRED_ERROR = '"lease expired"'
local DEPENDENCY_FAILED = 'dependency_failed'
local COUNTED = { blocked = true, suspended = true, dead = true, cancelled = true }
local TERMINAL = { completed = true, dead = true, cancelled = true }

-- Task events and work hints, published once at the end of the call (after every write).
--- @per-call
local published = {}
local function emit(kind, qe, tid, at) published[#published + 1] = kind .. ' ' .. qe .. ' ' .. tid .. ' ' .. stamp(at) end
local function hint(qe) published[#published + 1] = 'work ' .. qe end
local function publish()
  if #published > 0 then redis.call('PUBLISH', CHANNEL, table.concat(published, '\n')) end
end

local function tkey(tid) return B .. ':t:' .. tid end
local function qkey(qe, part) return B .. ':q:' .. qe .. ':' .. part end

--- Lowers the bound `field` of B to `at` when `at` is earlier (or no bound is set).
local function lower_bound(field, at, current)
  if current == nil then current = redis.call('HGET', B, field) end
  if not current or at < tonumber(current) then redis.call('HSET', B, field, n2s(at)) end
end

--- Sets the bound `field` of B to the lowest score of sorted set `key`, or removes it.
local function reset_bound(field, key)
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if first[2] then redis.call('HSET', B, field, first[2]) else redis.call('HDEL', B, field) end
end

local function set_state(t, qe, from, to)
  if COUNTED[from] then redis.call('HINCRBY', qkey(qe, 'n'), from, -1) end
  if COUNTED[to] then redis.call('HINCRBY', qkey(qe, 'n'), to, 1) end
  redis.call('HSET', t, 'st', to)
end

--- A stored state as reads show it at `now` (docs/decisions.md): a queued task is ready once its
--- runAt `ra` has come, else scheduled; every other state reads as stored.
local function shown_state(st, ra, now)
  if st ~= 'queued' then return st end
  if tonumber(ra) <= now then return 'ready' end
  return 'scheduled'
end

local function ready_member(pk, ra, ord, tid) return pk .. pad16(ra) .. ord .. tid end
local function lease_member(ord, tid) return ord .. tid end

-- Concurrency keys (SPEC E20; sets listed above).

--- The concurrency key a task's field ck holds, or nil (keyless: '' or absent).
local function key_of(ck)
  if ck and ck ~= '' then return ck end
  return nil
end

local function kkey(qe, ke, part)
  if part then return B .. ':q:' .. qe .. ':k' .. part .. ':' .. ke end
  return B .. ':q:' .. qe .. ':k:' .. ke
end

--- Puts key ke back in the fair order :kf by its ready head and last grant (or leaves it out: no
--- ready task, or blocked).
local function refresh_key(qe, ke)
  local k = kkey(qe, ke)
  local f = redis.call('HMGET', k, 'm', 'g', 'b')
  if f[1] and f[1] ~= '' then redis.call('ZREM', qkey(qe, 'kf'), f[1]) end
  local head = redis.call('ZRANGE', kkey(qe, ke, 'r'), 0, 0)[1]
  local m = ''
  if head and f[3] ~= '1' then
    m = string.sub(head, 1, 17) .. pad16(tonumber(f[2] or '0')) .. string.sub(head, 18, 49) .. ke
    redis.call('ZADD', qkey(qe, 'kf'), 0, m)
  end
  redis.call('HSET', k, 'm', m)
end

--- A keyed task becomes ready (member of its key's ready set) or stops being ready.
local function key_ready(qe, ke, member, tid, ra)
  redis.call('ZADD', kkey(qe, ke, 'r'), 0, member)
  redis.call('ZADD', qkey(qe, 'kt'), stamp(ra), tid)
  refresh_key(qe, ke)
end
local function key_unready(qe, ke, member, tid)
  redis.call('ZREM', kkey(qe, ke, 'r'), member)
  redis.call('ZREM', qkey(qe, 'kt'), tid)
  refresh_key(qe, ke)
end

--- Key ke leaves the fair order until `until_at` (its earliest unexpired lease's expiry).
local function block_key(qe, ke, until_at)
  redis.call('HSET', kkey(qe, ke), 'b', '1')
  redis.call('ZADD', qkey(qe, 'kb'), n2s(until_at), ke)
  refresh_key(qe, ke)
end

--- A blocked key goes back to the fair order, to be judged again when it reaches the front.
local function unblock_key(qe, ke)
  if redis.call('ZREM', qkey(qe, 'kb'), ke) == 1 then
    redis.call('HDEL', kkey(qe, ke), 'b')
    refresh_key(qe, ke)
  end
end

--- Blocks key ke when its unexpired leases reach the queue's keyConcurrency `kc` (nil: no limit);
--- true when it did.
local function block_when_full(qe, ke, kc, now)
  if not kc then return false end
  local first = redis.call('ZRANGEBYSCORE', kkey(qe, ke, 'l'), '(' .. n2s(now), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if not first[2] or redis.call('ZCOUNT', kkey(qe, ke, 'l'), '(' .. n2s(now), '+inf') < tonumber(kc) then return false end
  block_key(qe, ke, tonumber(first[2]))
  return true
end

--- A keyed task starts (enqueue, retry of a dead letter) or ends (terminal) its life: the key and
--- its sets are forgotten with its last non-terminal task (docs/decisions.md, issue 16).
local function key_task_started(qe, ke)
  redis.call('HINCRBY', kkey(qe, ke), 'n', 1)
  redis.call('HINCRBY', B, 'kn:' .. qe, 1)
end
local function key_task_ended(qe, ke)
  redis.call('HINCRBY', B, 'kn:' .. qe, -1)
  if redis.call('HINCRBY', kkey(qe, ke), 'n', -1) > 0 then return end
  redis.call('ZREM', qkey(qe, 'kb'), ke)
  redis.call('DEL', kkey(qe, ke), kkey(qe, ke, 'r'), kkey(qe, ke, 'l'))
end

--- A lease of key ke ends: its slot is free, and the queue's waiters are woken when it has a key limit.
local function key_lease_ended(qe, ke, ord, tid)
  redis.call('ZREM', kkey(qe, ke, 'l'), lease_member(ord, tid))
  unblock_key(qe, ke)
  if redis.call('HEXISTS', B, 'kc:' .. qe) == 1 then published[#published + 1] = 'work ' .. qe end
end

--- Indexes a queued task: claimable at once when its ready time has come, else scheduled. `pk`
--- and `ord` are the task's fields when the caller has them (nil: read them here).
local function add_queued(t, tid, qe, ra, now, pk, ord, ke)
  if pk == nil then
    local f = redis.call('HMGET', t, 'pk', 'ord', 'ck')
    pk, ord, ke = f[1], f[2], key_of(f[3])
  end
  if ra <= now and ke then
    key_ready(qe, ke, ready_member(pk, ra, ord, tid), tid, ra)
  elseif ra <= now then
    redis.call('ZADD', qkey(qe, 'r'), 0, ready_member(pk, ra, ord, tid))
  else
    redis.call('ZADD', qkey(qe, 's'), stamp(ra), tid)
    lower_bound('s:' .. qe, ra)
  end
end

local function remove_queued(t, tid, qe)
  if redis.call('ZREM', qkey(qe, 's'), tid) == 0 then
    local f = redis.call('HMGET', t, 'pk', 'ra', 'ord', 'ck')
    local member = ready_member(f[1], tonumber(f[2]), f[3], tid)
    local ke = key_of(f[4])
    if ke then key_unready(qe, ke, member, tid) else redis.call('ZREM', qkey(qe, 'r'), member) end
  end
end

--- Moves scheduled tasks whose time has come into the claim order (at most PROMOTE_LIMIT per call;
--- the README states what a larger backlog means). `bound` is B's s:<qe>: nothing to do before it.
local function promote(qe, now, bound)
  if not bound or tonumber(bound) > now then return end
  local s = qkey(qe, 's')
  local due = redis.call('ZRANGEBYSCORE', s, '-inf', stamp(now), 'LIMIT', 0, PROMOTE_LIMIT)
  for _, tid in ipairs(due) do
    local f = redis.call('HMGET', tkey(tid), 'pk', 'ra', 'ord', 'ck')
    local member = ready_member(f[1], tonumber(f[2]), f[3], tid)
    local ke = key_of(f[4])
    if ke then key_ready(qe, ke, member, tid, tonumber(f[2])) else redis.call('ZADD', qkey(qe, 'r'), 0, member) end
    redis.call('ZREM', s, tid)
  end
  reset_bound('s:' .. qe, s)
end

--- Lowers queue qe's lease-expiry bound (B's l:<qe>, mirrored in B:lq) to `lx` (`lx_text` its
--- text) when it is earlier; `current` is the bound when the caller has read it (nil: read it).
local function lower_lease_bound(qe, lx, lx_text, current)
  if current == nil then current = redis.call('HGET', B, 'l:' .. qe) end
  if not current or lx < tonumber(current) then
    redis.call('HSET', B, 'l:' .. qe, lx_text)
    redis.call('ZADD', B .. ':lq', lx_text, qe)
  end
end

--- Sets queue qe's lease-expiry bound to its earliest lease expiry, or removes it.
local function reset_lease_bound(qe)
  local first = redis.call('ZRANGE', qkey(qe, 'l'), 0, 0, 'WITHSCORES')
  if first[2] then
    redis.call('HSET', B, 'l:' .. qe, first[2])
    redis.call('ZADD', B .. ':lq', first[2], qe)
  else
    redis.call('HDEL', B, 'l:' .. qe)
    redis.call('ZREM', B .. ':lq', qe)
  end
end

--- Indexes a lease (renew; with its key's leases when `ke` is the task's key); claim indexes its
--- leases itself, in one call per queue.
local function add_leased(tid, qe, ord, lx, ke)
  local lx_text = n2s(lx)
  redis.call('ZADD', qkey(qe, 'l'), lx_text, lease_member(ord, tid))
  if ke then redis.call('ZADD', kkey(qe, ke, 'l'), lx_text, lease_member(ord, tid)) end
  lower_lease_bound(qe, lx, lx_text)
end

local function remove_leased(tid, qe, ord)
  redis.call('ZREM', qkey(qe, 'l'), lease_member(ord, tid))
end

--- A fence rejection with core's FenceErrorDetails fields; `f` holds the task's 'ep' and 'st'. The
--- stored state 'queued' is reported as the state a read shows: ready or scheduled by runAt.
local function reject_fenced(code, message, t, tid, epoch, f, now)
  local st = f[2]
  if st == 'queued' then st = shown_state(st, redis.call('HGET', t, 'ra'), now) end
  return reject_with_fields(code, message, tid, epoch, tonumber(f[1]), st)
end

--- The fence of a holder call (docs/decisions.md, in its order; core's judgeFence is the same
--- decision for the TypeScript backends). `lease_id` is the presented lease's leaseId: at the
--- task's latest epoch it must be the one stored with that lease ('li', kept after the lease ends
--- for E7's repeat), else STALE_LEASE before anything else is judged (SPEC T4); a task whose lease
--- has no stored id (granted before lease ids) matches nothing. Returns 'ok', 'repeat' (complete
--- repeated with the lease that completed the task) or an error reply to return as is, and the
--- task's { qe, ord (its 16-digit text), hd, ck (its concurrency key or nil) } for the call to go
--- on with. Reads only.
local function fence(t, tid, epoch, lease_id, now, call)
  local f = redis.call('HMGET', t, 'ep', 'st', 'el', 'lx', 'qe', 'ord', 'hd', 'li', 'ck')
  if not f[1] then return reject_with_fields('NOT_FOUND', 'task not found', tid, epoch) end
  local ep = tonumber(f[1])
  if epoch < ep then return reject_fenced('STALE_LEASE', 'a newer lease (epoch ' .. n2s(ep) .. ') exists for the task', t, tid, epoch, f, now) end
  if epoch > ep or epoch == 0 then return reject_fenced('INVALID_STATE', 'no lease with epoch ' .. n2s(epoch) .. ' was granted for the task', t, tid, epoch, f, now) end
  if not f[8] or f[8] == '' or f[8] ~= lease_id then
    return reject_fenced('STALE_LEASE', 'the lease (epoch ' .. n2s(epoch) .. ') is not the task\'s lease: its leaseId differs', t, tid, epoch, f, now)
  end
  local st, el = f[2], f[3]
  if st == 'cancelled' or el == 'revoked' then return reject_fenced('LEASE_REVOKED', 'the lease was revoked or the task cancelled', t, tid, epoch, f, now) end
  if el == 'expired' or (st == 'leased' and now >= tonumber(f[4])) then return reject_fenced('LEASE_EXPIRED', 'the lease expired', t, tid, epoch, f, now) end
  if st ~= 'leased' then
    if call == 'complete' and st == 'completed' and tonumber(redis.call('HGET', t, 'ce')) == epoch then return 'repeat' end
    return reject_fenced('INVALID_STATE', 'the task is ' .. st .. ', not leased under this epoch', t, tid, epoch, f, now)
  end
  return 'ok', { qe = f[5], ord = f[6], hd = f[7] == '1', ck = key_of(f[9]) }
end

--- Ends the current lease: the task leaves the leased index and moves to `to`. `task` is the
--- leased task's { qe, ord, ck } as the caller read them (fence does). The ended lease's expiry
--- and worker stay in the hash (reads report them only while the task is leased). Further
--- field-value pairs to set may follow `now`.
local function end_lease(t, tid, task, to, now, ...)
  local qe, ord, ke = task.qe, task.ord, task.ck
  remove_leased(tid, qe, ord)
  if ke then
    key_lease_ended(qe, ke, ord, tid)
    if TERMINAL[to] then key_task_ended(qe, ke) end
  end
  if COUNTED[to] then redis.call('HINCRBY', qkey(qe, 'n'), to, 1) end
  redis.call('HSET', t, 'st', to, 'ua', stamp(now), ...)
end

local function kill(t, tid, qe)
  local d = redis.call('HINCRBY', B, 'death', 1)
  redis.call('HSET', t, 'do', n2s(d))
  redis.call('ZADD', B .. ':dl', d, tid)
  redis.call('ZADD', qkey(qe, 'dl'), d, tid)
end

--- Leaves the signal waits of a suspended task.
local function unwait(tid, sk)
  for _, ke in ipairs(words(sk)) do redis.call('ZREM', B .. ':sw:' .. ke, tid) end
  redis.call('ZREM', B .. ':tmo', tid)
end

--- Whether anything depends on the task (a flag set when a dependent registers), so that the hot
--- paths skip the dependents' set of the many tasks nothing depends on.
local function has_dependents(t) return redis.call('HGET', t, 'hd') == '1' end

--- Cancels one non-terminal task (its lease, if any, is revoked by the cancelled state).
local function cancel_one(t, tid, reason, now)
  local f = redis.call('HMGET', t, 'st', 'qe', 'ord', 'sk', 'ck')
  local st, qe, ke = f[1], f[2], key_of(f[5])
  if st == 'leased' then
    remove_leased(tid, qe, f[3])
    if ke then key_lease_ended(qe, ke, f[3], tid) end
  elseif st == 'queued' then
    remove_queued(t, tid, qe)
  elseif st == 'suspended' then
    unwait(tid, f[4])
    redis.call('DEL', B .. ':ts:' .. tid)
  elseif st == 'blocked' then
    -- It leaves the dependents' sets its dependencies keep (release_dependents).
    for _, dep in ipairs(words(redis.call('HGET', t, 'dp'))) do redis.call('SREM', B .. ':dep:' .. dep, tid) end
  end
  redis.call('DEL', B .. ':tr:' .. tid)
  if ke then key_task_ended(qe, ke) end
  set_state(t, qe, st, 'cancelled')
  redis.call('HSET', t, 'ua', stamp(now))
  redis.call('HDEL', t, 'sm', 'sk', 'sx')
  if reason then redis.call('HSET', t, 'cr', reason) end
  emit('cancelled', qe, tid, now)
end

--- A dead or cancelled task cancels its blocked dependents, transitively (SPEC E16).
local function cancel_dependents(tid, now)
  local stack = { tid }
  while #stack > 0 do
    local x = table.remove(stack)
    local deps = B .. ':dep:' .. x
    local members = {}
    if has_dependents(tkey(x)) then members = redis.call('SMEMBERS', deps) end
    for _, d in ipairs(members) do
      local dt = tkey(d)
      if redis.call('HGET', dt, 'st') == 'blocked' then
        cancel_one(dt, d, DEPENDENCY_FAILED, now)
        stack[#stack + 1] = d
      end
    end
    if #members > 0 then redis.call('DEL', deps) end
  end
end

local function cancel_task(t, tid, reason, now)
  cancel_one(t, tid, reason, now)
  cancel_dependents(tid, now)
end

--- A completed task releases the blocked dependents it was the last pending dependency of, not
--- before their own runAt (SPEC E16). `flagged`: the task's hd flag (has_dependents).
--- A released dependent leaves the dependents' sets of all its dependencies; the dependents still
--- blocked (on another dependency) stay in the task's set, so that a replay (SPEC E26), which
--- makes the task not completed any more, has them wait for it again and its next completion
--- releases them, once. Members no longer blocked (released or cancelled earlier, from a layout
--- that kept them) are dropped: a task that leaves blocked never goes back to it.
local function release_dependents(tid, now, flagged)
  if not flagged then return end
  local deps = B .. ':dep:' .. tid
  for _, d in ipairs(redis.call('SMEMBERS', deps)) do
    local dt = tkey(d)
    local f = redis.call('HMGET', dt, 'st', 'dp', 'ra', 'qe')
    if f[1] == 'blocked' then
      local pending = false
      local on = words(f[2])
      for _, dep in ipairs(on) do
        if redis.call('HGET', tkey(dep), 'st') ~= 'completed' then
          pending = true
          break
        end
      end
      if not pending then
        local ra = math.max(tonumber(f[3]), now)
        set_state(dt, f[4], 'blocked', 'queued')
        redis.call('HSET', dt, 'ra', stamp(ra), 'ua', stamp(now))
        add_queued(dt, d, f[4], ra, now)
        hint(f[4])
        for _, dep in ipairs(on) do redis.call('SREM', B .. ':dep:' .. dep, d) end
      end
    else
      redis.call('SREM', deps, d)
    end
  end
end

--- The delay before retry `attempt` + 1: min(round(baseMs * factor^(attempt-1)), maxMs) (SPEC E8).
local function backoff_delay(bb, bf, bm, attempt)
  local d = math.floor(bb * math.pow(bf, math.max(0, attempt - 1)) + 0.5)
  if d > bm then d = bm end
  return d
end

--- Consumes the leased task's attempt (fail, expiry, dead-lettering): retried with backoff when
--- `retryable` and attempts remain, else dead. Returns 'retry', runAt or 'dead'.
local function consume_attempt(t, tid, err, retryable, now)
  local f = redis.call('HMGET', t, 'qe', 'ord', 'con', 'at', 'ma', 'bb', 'bf', 'bm', 'ck')
  local qe, at = f[1], tonumber(f[4])
  local task = { qe = qe, ord = f[2], ck = key_of(f[9]) }
  redis.call('HSET', t, 'con', n2s(tonumber(f[3]) + 1), 'le', err)
  if retryable and at < tonumber(f[5]) then
    local ra = now + backoff_delay(tonumber(f[6]), tonumber(f[7]), tonumber(f[8]), at)
    end_lease(t, tid, task, 'queued', now)
    redis.call('HSET', t, 'ra', stamp(ra))
    add_queued(t, tid, qe, ra, now)
    hint(qe)
    return 'retry', ra
  end
  end_lease(t, tid, task, 'dead', now)
  kill(t, tid, qe)
  emit('dead', qe, tid, now)
  cancel_dependents(tid, now)
  return 'dead', nil
end

--- Reclaims (SPEC E10, E11) the expired leases of `queues`, queues whose lease-expiry bound has
--- come: at most `limit`, oldest expiry first, ties in enqueue order. Each expiry consumes its
--- attempt (retry with backoff, lastError "lease expired", or dead), and the old holder's calls
--- then fail with LEASE_EXPIRED. The queues' bounds are recomputed. Returns { task id, outcome
--- ('retry' or 'dead') } of each reclaimed lease, in order.
local function reclaim_expired(queues, limit, now)
  local expired = {}
  for _, qe in ipairs(queues) do
    local found = redis.call('ZRANGEBYSCORE', qkey(qe, 'l'), '-inf', stamp(now), 'WITHSCORES', 'LIMIT', 0, limit)
    for j = 1, #found, 2 do expired[#expired + 1] = { tonumber(found[j + 1]), found[j] } end
  end
  table.sort(expired, function(x, y)
    if x[1] ~= y[1] then return x[1] < y[1] end
    return x[2] < y[2]
  end)
  local reclaimed = {}
  for i = 1, math.min(#expired, limit) do
    local tid = string.sub(expired[i][2], 17)
    local t = tkey(tid)
    local outcome = consume_attempt(t, tid, LEASE_EXPIRED_ERROR, true, now)
    redis.call('HSET', t, 'el', 'expired')
    local f = redis.call('HMGET', t, 'qe', 'id')
    emit('lease_expired', f[1], tid, now)
    reclaimed[#reclaimed + 1] = { f[2], outcome }
  end
  for _, qe in ipairs(queues) do reset_lease_bound(qe) end
  return reclaimed
end

--- A suspension ends (signals satisfied it, or its timeout came): the task is ready at
--- `ready_at`, and its next lease carries the accumulated signals (SPEC E14).
local function resume(t, tid, ready_at, timed_out, now)
  local f = redis.call('HMGET', t, 'qe', 'sk')
  local qe = f[1]
  unwait(tid, f[2])
  local ts, tr = B .. ':ts:' .. tid, B .. ':tr:' .. tid
  redis.call('DEL', tr)
  if redis.call('EXISTS', ts) == 1 then redis.call('RENAME', ts, tr) end
  set_state(t, qe, 'suspended', 'queued')
  redis.call('HSET', t, 'ra', stamp(ready_at), 'rs', timed_out and '2' or '1', 'ua', stamp(now))
  redis.call('HDEL', t, 'sm', 'sk', 'sx')
  add_queued(t, tid, qe, ready_at, now)
  hint(qe)
end

--- Applies what the passing of time decided before the call reads anything: suspensions whose
--- timeout has come resume (timed out) at their timeoutAt. The contract's model does the same
--- before every engine operation, rejected or not, so the result is the same whichever call
--- observes it first. `bound` is B's tmo when the caller has read it (false: none; nil: read it).
local function settle_timeouts(now, bound)
  if bound == nil then bound = redis.call('HGET', B, 'tmo') end
  if not bound or tonumber(bound) > now then return end
  local tmo = B .. ':tmo'
  local due = redis.call('ZRANGEBYSCORE', tmo, '-inf', stamp(now), 'WITHSCORES', 'LIMIT', 0, SETTLE_LIMIT)
  for i = 1, #due, 2 do resume(tkey(due[i]), due[i], tonumber(due[i + 1]), true, now) end
  reset_bound('tmo', tmo)
end

--- A new suspension begins: the signals and timeout of the previous one are no longer carried.
local function forget_resumption(t, tid)
  redis.call('HSET', t, 'rs', '')
  redis.call('DEL', B .. ':tr:' .. tid)
end

--- Grants a lease on the ready task of queue qe whose member of B:q:<qe>:r is `member` (the
--- caller has taken it out of the ready set) until `lx_text`, with `lease_id` (drawn by the
--- client: a script has no secure random source, SPEC T4). The caller indexes the lease
--- (B:q:<qe>:l, the returned lease member) and lowers the queue's bound. Returns the lease:
--- { tid, qe, payload, attempt, epoch, leaseId, resumed ('', '1' signals, '2' timed out), signals
---   (when resumed: list of 'signalId|createdAt|keyB64|payload') }: the client knows the rest (the
--- task id is the decoded tid, the queue the decoded qe, and the worker and expiry are the call's).
local function grant(member, qe, worker, lease_id, lease_ms_text, lx_text, now)
  local tid = string.sub(member, 50)
  local t = tkey(tid)
  local f = redis.call('HMGET', t, 'ep', 'con', 'p', 'rs')
  local ep = tonumber(f[1]) + 1
  local at = tonumber(f[2]) + 1
  redis.call('HSET', t, 'st', 'leased', 'ep', n2s(ep), 'li', lease_id, 'el', '', 'lx', lx_text, 'at', n2s(at), 'lms', lease_ms_text, 'w', worker, 'ua', stamp(now))
  local resumed = f[4] or ''
  local lease = { tid, qe, f[3], at, ep, lease_id, resumed }
  -- Every lease until the next suspension carries the resumption, so that a worker dying right
  -- after a resume does not take the signals with it (forget_resumption clears it).
  if resumed ~= '' then lease[8] = redis.call('LRANGE', B .. ':tr:' .. tid, 0, -1) end
  -- The ready member is <priority key 17><runAt 16><order 16><tid>: its tail is the lease member.
  return lease, string.sub(member, 34)
end

--- The lease a holder call returns (renew): no signals.
local function lease_of(t)
  local f = redis.call('HMGET', t, 'id', 'q', 'p', 'at', 'ep', 'li', 'w', 'lx')
  return { f[1], f[2], f[3], tonumber(f[4]), tonumber(f[5]), f[6], f[7], f[8], '' }
end

local RECORD_FIELDS = { 'id', 'q', 'st', 'p', 'at', 'ma', 'ep', 'pr', 'ra', 'lx', 'w', 'le', 'res', 'pg', 'dp', 'cr', 'rid', 'ik', 'ca', 'ua', 'ck', 'rp' }

--- The task record at `now` (effective state, pending dependencies as raw ids), in RECORD_FIELDS
--- order; the client decodes it. A lease's expiry and worker are reported while it is held.
local function task_record(t, now)
  local f = redis.call('HMGET', t, unpack(RECORD_FIELDS))
  if f[3] ~= 'leased' then
    f[10] = false
    f[11] = false
  end
  f[3] = shown_state(f[3], f[9], now)
  local pending = {}
  for _, dep in ipairs(words(f[15])) do
    local g = redis.call('HMGET', tkey(dep), 'st', 'id')
    if g[1] ~= 'completed' then pending[#pending + 1] = g[2] end
  end
  f[15] = pending
  f[21] = key_of(f[21]) or false
  f[22] = f[22] or false
  return f
end

--- A terminal task (`from`: dead, cancelled or completed) becomes queued at `ra` (retryDeadLetter,
--- replay; SPEC E12, E26): it leaves the dead letters, its concurrency key counts it again (every
--- terminal task ended its key, or never started it), and `reset` starts its attempts from 1 again
--- (else the consumed attempts stay: one more is granted). Its epoch stays, so its next lease's is
--- above every earlier one. The queue's workers are hinted.
local function requeue_terminal(t, tid, qe, from, ra, reset, now)
  if from == 'dead' then
    redis.call('ZREM', B .. ':dl', tid)
    redis.call('ZREM', qkey(qe, 'dl'), tid)
    redis.call('HDEL', t, 'do')
  end
  set_state(t, qe, from, 'queued')
  local ke = key_of(redis.call('HGET', t, 'ck'))
  if ke then key_task_started(qe, ke) end
  redis.call('HSET', t, 'ra', stamp(ra), 'ua', stamp(now))
  if reset then redis.call('HSET', t, 'con', '0') end
  add_queued(t, tid, qe, ra, now)
  hint(qe)
end

--- The INVALID_STATE rejection of a task whose state `st` (stored; `ra` its runAt) the call does
--- not apply to, with core's `{ taskId, state }` (the state as reads show it).
local function reject_state(tid, st, ra, now, message)
  local shown = shown_state(st, ra, now)
  return reject_with_details('INVALID_STATE', 'the task is ' .. shown .. ', ' .. message, { tid = tid, state = shown })
end
