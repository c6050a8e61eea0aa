import { describe, expect, it } from "vitest";
import { MAX_COMMENT_NESTING, MAX_COMMENT_NESTING_IGNORING_QUOTES, commentNesting, pathologicalNesting } from "../../src/sql/comment-nesting.js";

const nested = (depth: number) => `${"/*".repeat(depth)} x ${"*/".repeat(depth)}`;

describe("commentNesting", () => {
  it("counts no depth in SQL without block comments", () => {
    expect(commentNesting("CREATE TABLE t (id int); -- a line comment\n")).toEqual({ depth: 0, depthIgnoringQuotes: 0 });
  });

  it("counts sibling comments as depth one and nested ones by their depth", () => {
    expect(commentNesting("/* a */ SELECT 1; /* b */").depth).toBe(1);
    expect(commentNesting("/* a /* b /* c */ b */ a */ SELECT 1;").depth).toBe(3);
    expect(commentNesting(`${nested(500)}\nSELECT 1;`).depth).toBe(500);
  });

  it("reads an unterminated comment as open to the end of the file", () => {
    expect(commentNesting("SELECT 1; /* /* /*").depth).toBe(3);
  });

  it("does not count comment openers inside strings, quoted identifiers or dollar quotes", () => {
    const inQuotes = [
      "INSERT INTO routes VALUES ('/api/*', '/*/*/*');",
      'CREATE TABLE "/*/*/*" (id int);',
      "CREATE FUNCTION f() RETURNS text AS $$ SELECT '/*/*/*' $$ LANGUAGE sql;",
      "CREATE FUNCTION f() RETURNS text AS $body$ /*/*/* $$ /* $body$ LANGUAGE sql;",
      "SELECT 'it''s /*/*' ;",
      "SELECT E'a\\' /*/* ';",
      "SELECT 1; -- /*/*/*\n",
    ];
    for (const sql of inQuotes) expect(commentNesting(sql).depth, sql).toBe(0);
  });

  it("reads quotes and line-comment dashes inside a comment as comment text", () => {
    expect(commentNesting("/* it's -- still /* a comment */ */ /* /* */ */").depth).toBe(2);
  });

  it("treats a backslash in a standard string as a character, not an escape", () => {
    // standard_conforming_strings: 'C:\' ends at its second quote, and the comment after it counts.
    expect(commentNesting("SELECT 'C:\\' /* /* */ */;").depth).toBe(2);
    // `xe'…'` is the identifier xe then a plain string: the backslash does not escape.
    expect(commentNesting("SELECT xe'\\' /* /* */ */;").depth).toBe(2);
  });

  it("reads `a$b$` as one identifier, not the start of a dollar quote", () => {
    expect(commentNesting("SELECT a$b$ /* /* */ */;").depth).toBe(2);
  });

  it("counts openers in strings too when quotes are ignored, to bound any section read alone", () => {
    const sql = `SELECT '${"/*".repeat(7)}';`;
    expect(commentNesting(sql)).toEqual({ depth: 0, depthIgnoringQuotes: 7 });
  });
});

describe("pathologicalNesting", () => {
  it("accepts comments nested up to the limit", () => {
    expect(pathologicalNesting(`${nested(MAX_COMMENT_NESTING)}\nSELECT 1;`)).toBeUndefined();
  });

  it("refuses comments nested deeper than the limit, saying how deep", () => {
    const reason = pathologicalNesting(`${nested(MAX_COMMENT_NESTING + 1)}\nSELECT 1;`);
    expect(reason).toContain(`nested ${MAX_COMMENT_NESTING + 1} deep`);
  });

  it("refuses openers hidden in a string beyond the quote-blind limit, which a section split could expose", () => {
    const deep = MAX_COMMENT_NESTING_IGNORING_QUOTES + 1;
    const sql = `SELECT '${"/*".repeat(deep)}';`;
    expect(commentNesting(sql).depth).toBe(0);
    expect(pathologicalNesting(sql)).toContain(`${deep} deep counting those in strings`);
  });
});
