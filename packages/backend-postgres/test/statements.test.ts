/**
 * The statement loader's parts (src/statements.ts): a CTE two statements share is written once in
 * sql/parts/ and put in place of its `{part:<name>}` line.
 */
import { describe, expect, it } from "vitest";
import { includeParts, loadStatements, STATEMENT_NAMES } from "../src/statements.js";

const parts = new Map([["grant", "granted AS (\n  SELECT 1\n)"]]);

describe("statement parts", () => {
  it("puts a part in place of its line, keeping the comma after it, and records it as used", () => {
    const used = new Set<string>();
    const text = includeParts("s.sql", "WITH a AS (SELECT 1),\n  {part:grant},\nb AS (SELECT 2)\nSELECT 3", parts, used);
    expect(text).toBe("WITH a AS (SELECT 1),\ngranted AS (\n  SELECT 1\n),\nb AS (SELECT 2)\nSELECT 3");
    expect([...used]).toEqual(["grant"]);
  });

  it("leaves a statement without parts as it is", () => {
    const used = new Set<string>();
    expect(includeParts("s.sql", "SELECT '{part:grant}' AS text", parts, used)).toBe("SELECT '{part:grant}' AS text");
    expect(used.size).toBe(0);
  });

  it("refuses a part sql/parts/ does not hold, naming the file and the part", () => {
    expect(() => includeParts("s.sql", "{part:missing}", parts, new Set())).toThrow("sql/s.sql names the part missing, which sql/parts/ does not hold");
  });

  it("leaves no part line in any statement the backend runs; both claim statements hold the shared parts", () => {
    const statements = loadStatements("parts_check");
    for (const name of STATEMENT_NAMES) expect(statements[name].text, name).not.toMatch(/\{part:/);
    for (const name of ["tasks-claim", "tasks-claim-limited"] as const) {
      expect(statements[name].text).toContain("granted AS (\n  UPDATE \"parts_check\".tasks t");
      expect(statements[name].text).toContain("LIMIT s.keyless_slots");
      expect(statements[name].text).toContain(") AS has_expired\n),");
    }
  });
});
