/**
 * No credential in any error (issue 14; SPEC C4): every backend URL shape that carries a password
 * (good, wrong, malformed, unreachable, and the Redis Cluster forms) is opened with a marker
 * password, and the marker must appear nowhere in what a logger prints of the failure:
 * `util.inspect` of the error with every level of its cause chain and hidden properties. The
 * failure itself must be a MooringError (a raw driver or URL error is a C4 violation too).
 */
import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { type Backend, MooringError, openBackend } from "@mooring/core";
import { EphemeralRedis, missingCommands } from "@mooring/testing/ephemeral-redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** A password nobody else uses, in characters no URL encoding changes. */
const MARK = `Mk${randomBytes(8).toString("hex")}Zq`;

/** Everything a logger could print of `value`. */
function printed(value: unknown): string {
  return inspect(value, { depth: Infinity, showHidden: true, maxArrayLength: Infinity, maxStringLength: Infinity, breakLength: Infinity });
}

/** Opens `url`; resolves the failure, or the backend when it opened. */
async function attempt(url: string): Promise<{ error: unknown } | { backend: Backend }> {
  try {
    return { backend: await openBackend(url) };
  } catch (error) {
    return { error };
  }
}

/** Opens `url`, expecting a MooringError with `code` that holds the marker nowhere. */
async function expectCleanFailure(url: string, code: string): Promise<MooringError> {
  const outcome = await attempt(url);
  if ("backend" in outcome) {
    await outcome.backend.close();
    throw new Error(`${url.replace(MARK, "<marker>")} opened; expected ${code}`);
  }
  const { error } = outcome;
  expect(MooringError.is(error), `${printed(error).replaceAll(MARK, "<marker>")}`).toBe(true);
  expect((error as MooringError).code).toBe(code);
  expect(printed(error).includes(MARK), "the marker password is in the printed error").toBe(false);
  return error as MooringError;
}

const unique = randomBytes(4).toString("hex");

describe("a Postgres URL's password reaches no error", () => {
  it("malformed: VALIDATION, and the URL parser's input is masked in its cause", async () => {
    const error = await expectCleanFailure(`postgres://postgres:${MARK}@[::1/test`, "VALIDATION");
    expect(printed(error)).toContain("***");
  });

  it("unreachable: UNAVAILABLE", async () => {
    await expectCleanFailure(`postgres://postgres:${MARK}@127.0.0.1:1/test`, "UNAVAILABLE");
  });

  it("a role that does not exist, and a database that does not exist (good password, trust auth)", async () => {
    await expectCleanFailure(`postgres://nosuch_${unique}:${MARK}@127.0.0.1:5432/test`, "UNAVAILABLE");
    await expectCleanFailure(`postgres://postgres:${MARK}@127.0.0.1:5432/nosuch_${unique}`, "UNAVAILABLE");
  });
});

describe("a SQLite URL's user info reaches no error", () => {
  it("malformed: VALIDATION", async () => {
    await expectCleanFailure(`sqlite://user:${MARK}@[bad/x.db`, "VALIDATION");
  });
});

describe("a Redis URL's password reaches no error", () => {
  it("malformed: VALIDATION, not a raw TypeError", async () => {
    await expectCleanFailure(`redis://u:${MARK}@[bad`, "VALIDATION");
  });

  it("wrong user or password on a server: UNAVAILABLE naming the refusal; the AUTH arguments are masked", async () => {
    const error = await expectCleanFailure(`redis://u_${unique}:${MARK}@127.0.0.1:6379`, "UNAVAILABLE");
    expect(error.message).toContain("check the user name and password");
  });

  it("unreachable: UNAVAILABLE", async () => {
    await expectCleanFailure(`redis://u:${MARK}@127.0.0.1:1`, "UNAVAILABLE");
  });

  it("a cluster URL with user info and no host is VALIDATION (never a host name sent to DNS)", async () => {
    await expectCleanFailure(`redis+cluster://:${MARK}@`, "VALIDATION");
    await expectCleanFailure(`redis+cluster://u:${MARK}@`, "VALIDATION");
  });

  it("a cluster none of whose seeds answers: UNAVAILABLE", async () => {
    await expectCleanFailure(`redis+cluster://u:${MARK}@127.0.0.1:1,127.0.0.1:2`, "UNAVAILABLE");
  });
});

const missing = await missingCommands(["redis-server", "redis-cli"]);

describe.skipIf(missing.length > 0)(`a Redis server that requires the marker password${missing.length > 0 ? ` (skipped: ${missing.join(", ")} not installed)` : ""}`, () => {
  let server: EphemeralRedis;
  beforeAll(async () => {
    // Started open (the launcher's readiness PING has no password), then closed with the marker.
    server = await EphemeralRedis.start();
    expect(await server.command("CONFIG", "SET", "requirepass", MARK)).toBe("OK");
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("the good password opens it; a failure after close holds no password", async () => {
    const outcome = await attempt(`redis://:${MARK}@127.0.0.1:${server.port}`);
    if (!("backend" in outcome)) throw new Error(printed(outcome.error).replaceAll(MARK, "<marker>"));
    const { backend } = outcome;
    await backend.close();
    const error: unknown = await backend.engine.enqueue({ queue: "q" }).catch((caught: unknown) => caught);
    expect(MooringError.is(error, "CLOSED")).toBe(true);
    expect(printed(error).includes(MARK)).toBe(false);
  });

  it("a wrong password: the refusal names the fix and holds neither password", async () => {
    const wrong = `${MARK}x`;
    const error = await expectCleanFailure(`redis://:${wrong}@127.0.0.1:${server.port}`, "UNAVAILABLE");
    expect(error.message).toContain("check the user name and password");
  });
});
