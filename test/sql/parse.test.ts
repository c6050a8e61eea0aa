import { describe, expect, it } from "vitest";
import { loadSqlParser, parseSql } from "../../src/sql/parse.js";
import { SourceText } from "../../src/sql/source-text.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

const parse = (text: string, from?: number, to?: number) => parseSql(new SourceText("m.sql", text), from, to);

describe("parseSql", () => {
  it("places each statement on its 1-based lines and columns", () => {
    const { statements, errors } = parse("-- add users\nCREATE TABLE users (\n  id bigint\n);\n\n  CREATE INDEX i ON users (id);\n");
    expect(errors).toEqual([]);
    expect(statements.map((s) => [s.kind, s.line, s.column, s.endLine])).toEqual([
      ["CreateStmt", 2, 1, 4],
      ["IndexStmt", 6, 3, 6],
    ]);
    expect(statements[1]?.text).toBe("CREATE INDEX i ON users (id)");
  });

  it("counts multi-byte text correctly (offsets are UTF-8 bytes underneath)", () => {
    const text = "COMMENT ON TABLE t IS 'café ☕ 𝄞';\nALTER TABLE t ADD COLUMN é text;\nSELECT 'ü';";
    const { statements } = parse(text);
    expect(statements.map((s) => [s.line, s.text])).toEqual([
      [1, "COMMENT ON TABLE t IS 'café ☕ 𝄞'"],
      [2, "ALTER TABLE t ADD COLUMN é text"],
      [3, "SELECT 'ü'"],
    ]);
  });

  it("reports a syntax error with its line and still analyses the rest", () => {
    const text = "CREATE TABLE a (id int);\nCREATE TABLE b (id int;\nCREATE INDEX CONCURRENTLY i ON a (id);\nSELECT 'é' FROM;\n";
    const { statements, errors } = parse(text);
    expect(statements.map((s) => [s.kind, s.line])).toEqual([
      ["CreateStmt", 1],
      ["IndexStmt", 3],
    ]);
    expect(errors.map((e) => [e.line, e.message])).toEqual([
      [2, 'syntax error at or near ";"'],
      [4, 'syntax error at or near ";"'],
    ]);
    expect(errors[1]?.column).toBe(16);
  });

  it("keeps semicolons inside strings, dollar quotes and function bodies", () => {
    const text = "SELECT 'a;b';\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\nDO $x$ BEGIN PERFORM 1; END $x$;";
    expect(parse(text).statements.map((s) => s.kind)).toEqual(["SelectStmt", "CreateFunctionStmt", "DoStmt"]);
  });

  it("parses a range of the file with the file's positions", () => {
    const text = "-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n";
    const downStart = text.indexOf("-- migrate:down");
    const down = parse(text, downStart);
    expect(down.statements.map((s) => [s.kind, s.line])).toEqual([["DropStmt", 4]]);
    expect(down.comments.map((c) => [c.text, c.line])).toEqual([["-- migrate:down", 3]]);
  });

  it("returns nothing for blank or comment-only text", () => {
    expect(parse("  \n").statements).toEqual([]);
    expect(parse("-- nothing here\n").statements).toEqual([]);
  });
});
