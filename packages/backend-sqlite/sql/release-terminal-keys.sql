-- release-terminal-keys: Release the keys a run claimed untilTerminal, when it is terminal (SPEC W15).
-- Parameters: run pk.
-- Returns: nothing.
DELETE FROM {{run_keys}} WHERE run_pk = ? AND until_terminal = 1
