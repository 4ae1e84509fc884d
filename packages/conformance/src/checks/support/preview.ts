/**
 * How failure messages render values: `show` for the values a check builds (records, leases,
 * lists), `brief` for inputs that may be huge or hostile (a MiB payload, lone surrogates).
 */
import { inspect } from "node:util";
import fc from "fast-check";

/** Renders a value in full (six levels, twenty array items) for a failure message. */
export function show(value: unknown): string {
  return inspect(value, { depth: 6, breakLength: 120, maxArrayLength: 20 });
}

/** Renders a value on one line, cut at `limit` characters, for a failure message. */
export function brief(value: unknown, limit = 160): string {
  let text: string;
  try {
    text = value instanceof Uint8Array ? `Uint8Array(${value.byteLength})` : typeof value === "string" ? JSON.stringify(value) : fc.stringify(value);
  } catch {
    text = String(value);
  }
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length} characters)` : text;
}
