import { describe, expect, it } from "vitest";
import { findIrreversibleMarker } from "../../../src/migrations/frameworks/support/irreversible.js";
import { lineBreaksBefore } from "../../../src/migrations/frameworks/support/lines.js";
import { rangeSection, sourceOf, wholeFileSection } from "../../../src/migrations/frameworks/support/sections.js";

const traits = { direction: "up", language: "sql", inTransaction: false } as const;

describe("wholeFileSection", () => {
  it("is the section rangeSection gives over the whole text, with its last line counted directly", () => {
    for (const text of ["", "\n", "\n\n", "SELECT 1;", "SELECT 1;\n", "SELECT 1;\n\n\n", "a;\r\nb;\r\n", "\nSELECT 1;", "-- é\nSELECT '🐘';"]) {
      const file = { path: "db/1_x.up.sql", text };
      expect(wholeFileSection(file, traits), JSON.stringify(text)).toEqual(rangeSection(sourceOf(file), 0, text.length, 1, traits));
    }
  });

  it("ends on the line of the last character: a final line break opens no line", () => {
    expect(wholeFileSection({ path: "a.sql", text: "SELECT 1;\nSELECT 2;\n" }, traits)).toMatchObject({ startLine: 1, endLine: 2, start: 0, end: 20 });
    expect(wholeFileSection({ path: "a.sql", text: "" }, traits)).toMatchObject({ startLine: 1, endLine: 1, start: 0, end: 0 });
  });
});

describe("lineBreaksBefore", () => {
  it("counts the line breaks before an offset only", () => {
    expect(lineBreaksBefore("a\nb\nc\n", 0)).toBe(0);
    expect(lineBreaksBefore("a\nb\nc\n", 1)).toBe(0);
    expect(lineBreaksBefore("a\nb\nc\n", 2)).toBe(1);
    expect(lineBreaksBefore("a\nb\nc\n", 6)).toBe(3);
    expect(lineBreaksBefore("abc", 3)).toBe(0);
  });
});

describe("findIrreversibleMarker", () => {
  const up = { path: "db/1_x.up.sql", text: "CREATE TABLE t (id int);\n" };

  it("finds nothing in files that never name the marker", () => {
    expect(findIrreversibleMarker([up, { path: "db/1_x.down.sql", text: "-- data-engineer is reviewing\nDROP TABLE t;\n" }])).toBeUndefined();
  });

  it("finds the marker in any letter case, on its line, in the order of the files", () => {
    const down = { path: "db/1_x.down.sql", text: "SELECT 1;\r\n-- DATA-ENGINEER: Irreversible: the rows are gone\r\n" };
    expect(findIrreversibleMarker([up, down])).toEqual({ reason: "the rows are gone", path: "db/1_x.down.sql", line: 2 });
    const other = { path: "db/1_x.up.sql", text: "# data-engineer: irreversible first\n" };
    expect(findIrreversibleMarker([other, down])).toEqual({ reason: "first", path: "db/1_x.up.sql", line: 1 });
  });

  it("needs the marker's comment form, not just its word", () => {
    expect(findIrreversibleMarker([{ path: "a.sql", text: "SELECT 'data-engineer: irreversible';\n" }])).toBeUndefined();
  });

  it("looks only at the lines that start in the range when given one", () => {
    const file = { path: "changelog.xml", text: "<!-- a -->\n# data-engineer: irreversible early\n<b/>\n# data-engineer: irreversible late\n" };
    const late = file.text.indexOf("# data-engineer: irreversible late");
    expect(findIrreversibleMarker([file], { from: late, to: file.text.length })).toEqual({ reason: "late", path: "changelog.xml", line: 4 });
    expect(findIrreversibleMarker([file], { from: 0, to: 11 })).toBeUndefined();
  });
});
