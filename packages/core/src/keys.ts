/**
 * Keys owned by an execution (SPEC S4). The execution id is length-prefixed, so that no two
 * (executionId, name) pairs build the same key whatever characters they hold ("a:b" + "c" and
 * "a" + "b:c" stay apart), and every key of one execution shares one exact prefix.
 */
import { MooringError } from "./errors.js";
import { assertId, assertText, MAX_ID_BYTES, utf8Length } from "./validation.js";

const OWNED_KEY_MARK = "mooring/exec/";

/** The prefix of every key `executionKey(executionId, …)` builds. Compare it as an exact prefix. */
export function executionKeyPrefix(executionId: string): string {
  assertId(executionId, "executionId");
  return `${OWNED_KEY_MARK}${utf8Length(executionId)}/${executionId}/`;
}

/**
 * A StateStore key owned by `executionId`: removed by `deleteExecutionState(executionId)` and by
 * nothing else. @throws VALIDATION when the key would exceed 255 UTF-8 bytes.
 */
export function executionKey(executionId: string, name: string): string {
  assertText(name, "name", MAX_ID_BYTES);
  if (name.length === 0) throw new MooringError("VALIDATION", "name must not be empty", { details: { field: "name" } });
  const key = executionKeyPrefix(executionId) + name;
  if (utf8Length(key) > MAX_ID_BYTES) {
    throw new MooringError("VALIDATION", `executionKey(executionId, name) would be longer than ${MAX_ID_BYTES} UTF-8 bytes`, {
      details: { field: "name" },
    });
  }
  return key;
}

/** Whether `key` is owned by `executionId`. */
export function isExecutionKey(key: string, executionId: string): boolean {
  return key.startsWith(executionKeyPrefix(executionId));
}
