-- list-tasks: The tenant's tasks matching every filter given (SPEC E26), through the index of the
-- tenant's tasks by seq. state is the state getTask reports at now (src/tasks.ts, effectiveState):
-- a scheduled task that is due, or a suspension whose timeout has come, is 'ready'.
-- Parameters: { tenant, queue, state, run_id, concurrency_key (each null: any), now }.
-- Returns: nothing alone: a fragment, which LIST_TASKS and LIST_TASKS_DESC (src/sql/engine.ts)
--   complete with the page's bound and order.
SELECT * FROM {{tasks}} INDEXED BY {{tasks_by_tenant}}
WHERE tenant = @tenant
  AND (@queue IS NULL OR queue = @queue)
  AND (@run_id IS NULL OR run_id = @run_id)
  AND (@concurrency_key IS NULL OR concurrency_key = @concurrency_key)
  AND (@state IS NULL
    OR (@state = 'ready' AND (state = 'ready' OR (state = 'scheduled' AND run_at <= @now) OR (state = 'suspended' AND wait_timeout_at <= @now)))
    OR (@state = 'scheduled' AND state = 'scheduled' AND run_at > @now)
    OR (@state = 'suspended' AND state = 'suspended' AND (wait_timeout_at IS NULL OR wait_timeout_at > @now))
    OR (@state NOT IN ('ready', 'scheduled', 'suspended') AND state = @state))
