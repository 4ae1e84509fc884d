import { randomUUID } from "node:crypto";

/**
 * A new id: a UUIDv7 (time-ordered, so ids sort roughly by creation and index well). Its time
 * part is informational only: ordering guarantees never depend on ids. Built from `randomUUID`,
 * whose random bytes Node draws from a cached pool: one id costs no system call.
 */
export function newId(now = Date.now()): string {
  const random = randomUUID();
  const time = Math.max(0, Math.floor(now)).toString(16).padStart(12, "0").slice(-12);
  // randomUUID is v4: xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx. Keep its variant and random bits,
  // put the 48-bit millisecond time in front and mark version 7.
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15, 18)}-${random.slice(19)}`;
}
