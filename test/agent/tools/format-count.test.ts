import { describe, expect, it } from "vitest";
import { formatCount, plural } from "../../../src/agent/tools/tool.js";

/** formatCount groups whole numbers itself (no ICU at module load): the same text as toLocaleString("en-US"). */
describe("formatCount", () => {
  it.each([0, 7, 999, 1000, -1000, 65_536, 1_234_567, -987_654_321, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1.5, 1234.5678, 1e21, -0])(
    "writes %d as toLocaleString('en-US') does",
    (n) => {
      expect(formatCount(n)).toBe(n.toLocaleString("en-US"));
    },
  );

  it("counts in plural()", () => {
    expect(plural(1, "file")).toBe("1 file");
    expect(plural(12_000, "match", "matches")).toBe("12,000 matches");
  });
});
