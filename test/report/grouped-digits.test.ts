import { describe, expect, it } from "vitest";
import { groupedDigits } from "../../src/report/grouped-digits.js";

describe("groupedDigits", () => {
  const samples = [
    0,
    1,
    12,
    123,
    999,
    1_000,
    1_234,
    12_345,
    123_456,
    999_999,
    1_000_000,
    1_234_567,
    12_345_678,
    123_456_789,
    60_000,
    Number.MAX_SAFE_INTEGER,
    -1,
    -999,
    -1_000,
    -1_234_567,
    Number.MIN_SAFE_INTEGER,
    // Not safe integers: written by toLocaleString, as before.
    -0,
    1.5,
    1234.5678,
    2 ** 60,
    Infinity,
    -Infinity,
    NaN,
  ];
  it.each(samples)("writes %d as toLocaleString('en-US') does", (n) => {
    expect(groupedDigits(n)).toBe(n.toLocaleString("en-US"));
  });

  it("groups by threes from the right", () => {
    expect(groupedDigits(1_234_567)).toBe("1,234,567");
    expect(groupedDigits(-12_345)).toBe("-12,345");
    expect(groupedDigits(999)).toBe("999");
  });
});
