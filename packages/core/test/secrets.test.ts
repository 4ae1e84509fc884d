/**
 * Credentials kept out of errors (issue 14; SPEC C4): what `credentialsOf` finds in a URL, and
 * what `MooringError` masks when given `secrets`.
 */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { credentialsOf, MASK, MooringError, redact, withoutSecrets } from "../src/index.js";

describe("credentialsOf", () => {
  it("finds the password of parsable and malformed URLs, as written and decoded", () => {
    expect(credentialsOf("postgres://u:pa%40ss@host/db")).toEqual(["pa%40ss", "pa@ss"]);
    expect(credentialsOf("redis://u:secret@[bad")).toEqual(["secret"]);
    expect(credentialsOf("redis+cluster://:secret@")).toEqual(["secret"]);
    expect(credentialsOf("redis://host:6379")).toEqual([]);
    expect(credentialsOf("redis://user@host")).toEqual([]);
    expect(credentialsOf("sqlite:./file.db")).toEqual([]);
  });

  it("redact masks a password with an empty user name and in a URL that does not parse", () => {
    expect(redact("redis://:secret@[bad")).not.toContain("secret");
    expect(redact("postgres://u:secret@[::1/test")).not.toContain("secret");
  });
});

describe("MooringError with secrets", () => {
  it("masks them in the message, the details and every level of the cause chain, keeping the rest", () => {
    const root = Object.assign(new Error("AUTH failed for hunter2"), { command: { name: "auth", args: ["u", "hunter2"] }, code: "WRONGPASS" });
    const middle = new Error("connection to redis://u:hunter2@h failed", { cause: root });
    const error = new MooringError("UNAVAILABLE", "could not log in with hunter2", { cause: middle, details: { url: "redis://u:hunter2@h" }, secrets: ["hunter2"] });
    const printed = inspect(error, { depth: Infinity, showHidden: true });
    expect(printed).not.toContain("hunter2");
    expect(error.message).toBe(`could not log in with ${MASK}`);
    expect(error.details).toEqual({ url: `redis://u:${MASK}@h` });
    const cause = error.cause as Error & { cause: Error & { command: unknown; code: string } };
    expect(cause.message).toBe(`connection to redis://u:${MASK}@h failed`);
    expect(cause.cause.command).toEqual({ name: "auth", args: ["u", MASK] });
    expect(cause.cause.code).toBe("WRONGPASS");
  });

  it("leaves the cause itself when there is no secret, and copes with cycles and foreign objects", () => {
    const cause = new Error("plain");
    expect(new MooringError("UNAVAILABLE", "x", { cause }).cause).toBe(cause);
    const cyclic: Record<string, unknown> = { text: "key=s3cret" };
    cyclic.self = cyclic;
    cyclic.socket = new (class Socket {})();
    const copy = withoutSecrets(cyclic, ["s3cret"]) as Record<string, unknown>;
    expect(copy.text).toBe(`key=${MASK}`);
    expect(copy.self).toBe(copy);
    expect(copy.socket).toBe("[Socket]");
  });
});
