import { describe, expect, it } from "vitest";
import { placeByQuote, quotedCode } from "../../src/agent/finding-placement.js";
import type { AgentFinding } from "../../src/agent/handoff-report.js";

const lines = ["SET lock_timeout = '2s';", "ALTER TABLE orders ADD COLUMN status text NOT NULL;", "CREATE INDEX orders_status_idx ON orders (status);"];
const finding = (line: number, message: string): AgentFinding => ({ path: "db/1.sql", line, severity: "warning", category: "index", message });

describe("placing a finding by what it quotes", () => {
  it("keeps a finding whose quote is on its line, or that quotes nothing", () => {
    expect(placeByQuote(finding(3, "`CREATE INDEX orders_status_idx` blocks writes."), lines).kind).toBe("kept");
    expect(placeByQuote(finding(1, "The index blocks writes."), lines).kind).toBe("kept");
  });

  it("moves a finding to the line its quote is on, ignoring case and spacing", () => {
    const placed = placeByQuote(finding(1, "`create   index orders_status_idx ON orders` blocks writes; use `CONCURRENTLY`."), lines);
    expect(placed).toMatchObject({ kind: "moved", from: 1, finding: { line: 3 } });
  });

  it("sends to the body a finding whose quote is nowhere in the file", () => {
    expect(placeByQuote(finding(2, "`DROP COLUMN state` loses data."), lines).kind).toBe("unplaced");
  });

  it("ignores quotes too short to place anything", () => {
    expect(quotedCode("`id` and `t` and `orders`")).toEqual(["orders"]);
  });
});
