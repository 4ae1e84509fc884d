-- replay-task: Make a terminal task (completed, dead, cancelled) run again (SPEC E26): ready or
-- scheduled at run_at, its result, last error, progress, cancel reason and carried signals (resume)
-- cleared, one more replay counted. epoch, attempt, frames and summaries stay, so an earlier lease stays fenced (E5).
-- Names concurrency_key so that the key bookkeeping trigger counts the task again (migration 0008).
-- Parameters: state ('ready' | 'scheduled'), run_at, consumed, updated_at, seq.
-- Returns: nothing.
UPDATE {{tasks}} SET state = ?, concurrency_key = concurrency_key, run_at = ?, consumed = ?, dead_seq = NULL,
  result = 'null', result_kind = NULL, result_bytes = NULL, last_error = 'null', progress = NULL, cancel_reason = NULL,
  resume = NULL, replays = replays + 1, updated_at = ? WHERE seq = ?
