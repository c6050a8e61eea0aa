import { describe, expect, it } from "vitest";
import { inlineCode, joinWithinBudget } from "../../src/report/markdown.js";

describe("inlineCode", () => {
  it.each([
    ["db/001.sql", "`db/001.sql`"],
    ["a`b.sql", "``a`b.sql``"],
    ["`x`", "`` `x` ``"],
    ["line\nbreak.sql", "`line\\x0abreak.sql`"],
    ["@team <b>bold</b>", "`@team <b>bold</b>`"],
  ])("shows %j literally", (text, expected) => {
    expect(inlineCode(text)).toBe(expected);
  });
});

describe("joinWithinBudget", () => {
  const more = (n: number) => `… ${n} more`;

  it("keeps everything that fits", () => {
    expect(joinWithinBudget(["a", "b"], 100, more)).toBe("a\nb");
  });

  it("never exceeds the budget and says how many lines it left out", () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `- line ${i}`);
    const text = joinWithinBudget(lines, 200, more);
    expect(text.length).toBeLessThanOrEqual(200);
    const kept = text.split("\n").filter((l) => l.startsWith("- line")).length;
    expect(text.endsWith(`… ${1000 - kept} more`)).toBe(true);
  });
});
