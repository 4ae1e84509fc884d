/**
 * Keeping credentials out of errors. Whatever an application logs of a failure (`console.error`,
 * `util.inspect`, pino, Sentry) walks the error's message, its own properties and its cause chain;
 * drivers put connection URLs and the arguments of an AUTH command there. A backend that knows a
 * credential passes it as `secrets` to the `MooringError` it throws, and the error keeps a copy of
 * its cause in which every occurrence is masked.
 */

/** What a masked secret reads as. */
export const MASK = "***";

/** How deep `withoutSecrets` copies nested objects; deeper values are dropped. */
const MAX_DEPTH = 8;

/**
 * The password a URL's user info carries (`scheme://user:password@host`), as written and
 * percent-decoded, whether or not the rest of the URL parses. Empty when it has none.
 */
export function credentialsOf(url: string): string[] {
  const userInfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(url)?.[1];
  if (userInfo === undefined) return [];
  const colon = userInfo.indexOf(":");
  if (colon === -1) return [];
  return secretForms(userInfo.slice(colon + 1));
}

/** `secret` as written and, when it differs, percent-decoded: drivers see and echo the latter. */
export function secretForms(secret: string | null | undefined): string[] {
  if (typeof secret !== "string" || secret === "") return [];
  let decoded = secret;
  try {
    decoded = decodeURIComponent(secret);
  } catch {
    // A malformed escape: the text as written is all a driver can echo.
  }
  return decoded === secret ? [secret] : [secret, decoded];
}

/** `text` with every secret replaced by the mask, longest first (one may contain another). */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of secrets.filter((entry) => typeof entry === "string" && entry !== "").sort((a, b) => b.length - a.length)) {
    masked = masked.split(secret).join(MASK);
  }
  return masked;
}

/**
 * A copy of `value` in which every secret is masked: strings masked, arrays and plain objects
 * copied, errors rebuilt as plain `Error`s with the same name, message, stack, own properties
 * and cause (copied the same way). Other objects (sockets, buffers, class instances) become a
 * `[Name]` placeholder: their contents are the driver's, not the caller's. Returns `value` itself
 * when there is no secret to mask.
 */
export function withoutSecrets(value: unknown, secrets: readonly string[]): unknown {
  const live = secrets.filter((secret) => typeof secret === "string" && secret !== "");
  if (live.length === 0) return value;
  return copyMasked(value, live, 0, new WeakMap());
}

function copyMasked(value: unknown, secrets: readonly string[], depth: number, copies: WeakMap<object, unknown>): unknown {
  if (typeof value === "string") return maskSecrets(value, secrets);
  if (typeof value !== "object" || value === null) return value;
  const known = copies.get(value);
  if (known !== undefined) return known;
  if (depth >= MAX_DEPTH) return "[nested too deep]";
  const next = (entry: unknown): unknown => copyMasked(entry, secrets, depth + 1, copies);

  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    copies.set(value, copy);
    for (const entry of value) copy.push(next(entry));
    return copy;
  }
  if (value instanceof Error) {
    const copy = new Error(maskSecrets(value.message, secrets));
    copies.set(value, copy);
    copy.name = value.name;
    copy.stack = value.stack === undefined ? undefined : maskSecrets(value.stack, secrets);
    for (const [key, entry] of Object.entries(value)) {
      if (key !== "message" && key !== "stack" && key !== "name") (copy as unknown as Record<string, unknown>)[key] = next(entry);
    }
    if (value.cause !== undefined) copy.cause = next(value.cause);
    return copy;
  }
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype !== Object.prototype && prototype !== null) return `[${value.constructor?.name ?? "object"}]`;
  const copy: Record<string, unknown> = {};
  copies.set(value, copy);
  for (const [key, entry] of Object.entries(value)) copy[key] = next(entry);
  return copy;
}
