/**
 * How a tail ends when its backend closes (SPEC E28). `close()` does not wait for a long poll: it
 * ends a waiting `readFrames` at once, which then answers `[]`, as at its `waitMs`, rather than
 * making its final read on a connection that is closed or closing.
 */

/** What knows whether the backend was closed: its connection, database or context. */
export interface Closable {
  readonly closed: boolean;
}

/** The wait and the read that end a tail, or `[]` when `owner` was closed before or during either. */
export async function afterTail<T>(owner: Closable, read: () => Promise<T[]>): Promise<T[]> {
  if (owner.closed) return [];
  try {
    return await read();
  } catch (error) {
    if (owner.closed) return [];
    throw error;
  }
}
