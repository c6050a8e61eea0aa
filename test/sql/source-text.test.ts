import { describe, expect, it } from "vitest";
import { SourceText } from "../../src/sql/source-text.js";

/** The char offset whose UTF-8 bytes cover `byte`, found by encoding each code point in turn. */
function charOfByteByEncoding(text: string, byte: number): number {
  let at = 0;
  let char = 0;
  // A string iterates by code point; a lone surrogate comes alone and encodes as U+FFFD (3 bytes).
  for (const point of text) {
    const size = Buffer.byteLength(point, "utf8");
    if (byte < at + size) return char;
    at += size;
    char += point.length;
  }
  return text.length;
}

/** 1-based line and column by splitting the text before the offset. */
function positionBySplitting(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1) ?? "").length + 1 };
}

const TEXTS = [
  "",
  "\n",
  "SELECT 1;",
  "SELECT 1;\n",
  "CREATE TABLE t (id int);\r\nALTER TABLE t ADD COLUMN n text;\r\n",
  "\n\nSELECT 1;\n\n",
  "-- café\nSELECT 'naïve';\n",
  "SELECT '日本語';\nSELECT '🐘' AS pg;\n",
  "SELECT 'x\ud800y';\n",
];

describe("SourceText", () => {
  it("gives every char offset its line and column, as splitting the text would", () => {
    for (const text of TEXTS) {
      const source = new SourceText("t.sql", text);
      for (let offset = 0; offset <= text.length; offset++)
        expect(source.position(offset), JSON.stringify([text, offset])).toEqual(positionBySplitting(text, offset));
    }
  });

  it("starts each line after a line break and counts the lines", () => {
    const source = new SourceText("t.sql", "a\nbc\r\n\nd");
    expect([1, 2, 3, 4, 5].map((line) => source.lineStart(line))).toEqual([0, 2, 6, 7, 8]);
    expect(source.lineCount).toBe(4);
    expect(new SourceText("t.sql", "a\n").lineCount).toBe(2);
    expect(new SourceText("t.sql", "").lineCount).toBe(1);
  });

  it("maps UTF-8 byte offsets to char offsets and back, in ASCII and beyond", () => {
    for (const text of TEXTS) {
      const source = new SourceText("t.sql", text);
      const bytes = Buffer.byteLength(text, "utf8");
      expect(source.byteLength).toBe(bytes);
      for (let byte = 0; byte <= bytes; byte++) expect(source.charAt(byte), JSON.stringify([text, byte])).toBe(charOfByteByEncoding(text, byte));
      for (let char = 0; char <= text.length; char++) expect(source.byteAt(char)).toBe(Buffer.byteLength(text.slice(0, char), "utf8"));
      // Past the end: the end of the text.
      expect(source.charAt(bytes + 5)).toBe(text.length);
    }
  });

  it("answers the same whichever lookup comes first (its indexes are built on demand)", () => {
    const text = "SELECT 'é';\nSELECT 2;\n";
    const byteFirst = new SourceText("t.sql", text);
    const lineFirst = new SourceText("t.sql", text);
    const fromBytes = [byteFirst.charAt(13), byteFirst.position(13), byteFirst.lineCount];
    const fromLines = [lineFirst.charAt(13), lineFirst.position(13), lineFirst.lineCount];
    expect(fromLines).toEqual(fromBytes);
    expect(fromBytes).toEqual([12, { line: 2, column: 2 }, 3]);
  });
});
