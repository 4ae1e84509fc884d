import { describe, expect, it } from "vitest";
import { benchSchemaName, redactUrl, redisOptionsFromUrl, releaseAll } from "../src/targets/servers.js";

describe("server helpers", () => {
  it("runs every clean-up step when one fails, and rethrows the first failure", async () => {
    const ran: string[] = [];
    await expect(
      releaseAll([
        async () => ran.push("close client"),
        async () => {
          ran.push("drop schema");
          throw new Error("first");
        },
        async () => {
          ran.push("end admin");
          throw new Error("second");
        },
      ]),
    ).rejects.toThrow("first");
    expect(ran).toEqual(["close client", "drop schema", "end admin"]);
  });

  it("generates schema names it would agree to drop, different each time", () => {
    const name = benchSchemaName("mooring");
    expect(name).toMatch(/^bench_mooring_[0-9a-f]{8}$/);
    expect(benchSchemaName("mooring")).not.toBe(name);
  });

  it("hides passwords in reported URLs", () => {
    expect(redactUrl("postgres://app:s3cret@db:5432/x")).toBe("postgres://app:***@db:5432/x");
    expect(redactUrl("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
  });

  it("reads host, port, credentials and database from a Redis URL", () => {
    expect(redisOptionsFromUrl("redis://u:p%40ss@10.0.0.2:6380/3")).toEqual({ host: "10.0.0.2", port: 6380, username: "u", password: "p@ss", db: 3 });
    expect(redisOptionsFromUrl("redis://127.0.0.1")).toEqual({ host: "127.0.0.1", port: 6379 });
    expect(() => redisOptionsFromUrl("http://x")).toThrow(/not a redis/);
  });
});
