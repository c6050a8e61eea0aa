import { describe, expect, it } from "vitest";
import { anchorFor, commentableLines } from "../../src/report/diff-anchors.js";

const MODIFIED = [
  "@@ -1,4 +1,5 @@",
  " CREATE TABLE users (id bigint);",
  "-CREATE INDEX users_id ON users (id);",
  "+CREATE INDEX CONCURRENTLY users_id",
  "+  ON users (id);",
  " ",
  " -- end of first block",
  "@@ -20,3 +21,4 @@ CREATE TABLE users (id bigint);",
  " ALTER TABLE users",
  "+  ADD COLUMN email text;",
  " SELECT 1;",
  " SELECT 2;",
].join("\n");

const NEW_FILE = ["@@ -0,0 +1,3 @@", "+BEGIN;", "+ALTER TABLE t ADD COLUMN c int;", "+COMMIT;", "\\ No newline at end of file"].join("\n");

const DELETED = ["@@ -1,2 +0,0 @@", "-DROP TABLE t;", "-DROP TABLE u;"].join("\n");

describe("commentableLines", () => {
  it.each([
    ["undefined patch (binary or too large)", undefined, [], []],
    ["empty patch", "", [], []],
    ["modified file with two hunks", MODIFIED, [1, 2, 3, 4, 5, 21, 22, 23, 24], [0, 0, 0, 0, 0, 1, 1, 1, 1]],
    ["new file with no newline at the end", NEW_FILE, [1, 2, 3], [0, 0, 0]],
    ["deleted file", DELETED, [], []],
    ["single-line hunk without counts", "@@ -3 +3 @@\n-a\n+b", [3], [0]],
    ["CRLF patch, trailing newline", "@@ -1,1 +1,2 @@\r\n a\r\n+b\r\n", [1, 2], [0, 0]],
    ["empty context line (stripped space)", "@@ -1,3 +1,3 @@\n a\n\n c", [1, 2, 3], [0, 0, 0]],
    ["no-newline marker between removed and added", "@@ -1 +1 @@\n-old\n\\ No newline at end of file\n+new\n\\ No newline at end of file", [1], [0]],
  ])("%s", (_name, patch, lines, hunks) => {
    const anchors = commentableLines(patch);
    expect([...anchors.lines].sort((a, b) => a - b)).toEqual(lines);
    expect(lines.map((l) => anchors.hunkOf.get(l))).toEqual(hunks);
  });

  it("ignores text after a hunk's counts are used up", () => {
    const anchors = commentableLines("@@ -1,1 +1,1 @@\n-a\n+b\n+not part of the hunk");
    expect([...anchors.lines]).toEqual([1]);
  });
});

describe("anchorFor", () => {
  const anchors = commentableLines(MODIFIED);

  it.each([
    ["single line in the diff", { line: 3, endLine: 3 }, { line: 3 }],
    ["range inside one hunk", { line: 3, endLine: 4 }, { line: 4, startLine: 3 }],
    ["range across two hunks: last line only", { line: 4, endLine: 22 }, { line: 22 }],
    ["end line outside the diff: last diff line in range", { line: 4, endLine: 10 }, { line: 5 }],
    ["range starting before the hunk: single line", { line: 19, endLine: 22 }, { line: 22 }],
    ["nothing in the diff", { line: 8, endLine: 19 }, undefined],
    ["line after the last hunk", { line: 40, endLine: 40 }, undefined],
  ])("%s", (_name, finding, expected) => {
    expect(anchorFor(finding, anchors)).toEqual(expected);
  });

  it("never anchors outside a hunk and gives start_line only within one hunk", () => {
    for (let line = 1; line <= 30; line++) {
      for (let endLine = line; endLine <= 30; endLine++) {
        const anchor = anchorFor({ line, endLine }, anchors);
        if (!anchor) continue;
        expect(anchors.lines.has(anchor.line)).toBe(true);
        expect(anchor.line).toBeGreaterThanOrEqual(line);
        expect(anchor.line).toBeLessThanOrEqual(endLine);
        if (anchor.startLine !== undefined) {
          expect(anchor.startLine).toBeLessThan(anchor.line);
          for (let n = anchor.startLine; n <= anchor.line; n++) expect(anchors.hunkOf.get(n)).toBe(anchors.hunkOf.get(anchor.line));
        }
      }
    }
  });

  it.each([
    ["range across adjacent hunks (zero context): last line only", { line: 1, endLine: 4 }, { line: 4 }],
    ["range within the second adjacent hunk", { line: 3, endLine: 4 }, { line: 4, startLine: 3 }],
    ["range within the first adjacent hunk", { line: 1, endLine: 2 }, { line: 2, startLine: 1 }],
  ])("%s", (_name, finding, expected) => {
    const adjacent = commentableLines("@@ -1,1 +1,2 @@\n a\n+b\n@@ -5,1 +3,2 @@\n c\n+d");
    expect([...adjacent.lines]).toEqual([1, 2, 3, 4]);
    expect(anchorFor(finding, adjacent)).toEqual(expected);
  });

  it("has no anchors in a deleted file", () => {
    expect(anchorFor({ line: 1, endLine: 2 }, commentableLines(DELETED))).toBeUndefined();
  });
});
