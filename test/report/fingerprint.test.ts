import { beforeAll, describe, expect, it } from "vitest";
import { analyzeMigrations } from "../../src/rules/engine.js";
import { findingMarker, fingerprint, markersIn, normalizeStatement, statementTextFor } from "../../src/report/fingerprint.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { caseMigration } from "../helpers/rule-tester.js";

beforeAll(() => loadSqlParser());

const base = { path: "db/migrations/0001_case.up.sql", rule: "require-concurrent-index", message: "m" };

describe("normalizeStatement", () => {
  it.each([
    ["CREATE  INDEX\n\tON t (a)", "create index on t (a)"],
    ["CREATE INDEX -- why\nON t (a)", "create index on t (a)"],
    ["CREATE /* a /* nested */ comment */ INDEX", "create index"],
    ["SELECT '--not a comment'", "select '--not a comment'"],
    ["SELECT 'it''s -- kept'", "select 'it''s -- kept'"],
  ])("%j → %j", (text, expected) => {
    expect(normalizeStatement(text)).toBe(expected);
  });
});

describe("fingerprint", () => {
  it("is sha256 hex", () => {
    expect(fingerprint(base, "SELECT 1")).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ["whitespace and case", "CREATE INDEX i ON t (a)", "create   index i\n  on t (a)", true],
    ["comments", "CREATE INDEX i ON t (a)", "CREATE INDEX i -- later\nON t (a)", true],
    ["a different statement", "CREATE INDEX i ON t (a)", "CREATE INDEX i ON t (b)", false],
  ])("%s", (_name, a, b, same) => {
    expect(fingerprint(base, a) === fingerprint(base, b)).toBe(same);
  });

  it("depends on path and rule", () => {
    const fp = fingerprint(base, "SELECT 1");
    expect(fingerprint({ ...base, path: "other.sql" }, "SELECT 1")).not.toBe(fp);
    expect(fingerprint({ ...base, rule: "ban-drop-table" }, "SELECT 1")).not.toBe(fp);
  });

  it("keeps a statement's fingerprint when it moves to another line", () => {
    const sql = "CREATE INDEX users_email ON users (email);";
    const fps = ["", "-- a comment\n\nSELECT 1;\n"].map((prefix) => {
      const { files, migration } = caseMigration(`${prefix}${sql}\n`);
      const analysis = analyzeMigrations(files, [migration]);
      const finding = analysis.findings.find((f) => f.rule === "require-concurrent-index");
      if (!finding) throw new Error("expected a require-concurrent-index finding");
      return { line: finding.line, fp: fingerprint(finding, statementTextFor(analysis, finding)) };
    });
    expect(fps[0]?.line).not.toBe(fps[1]?.line);
    expect(fps[0]?.fp).toBe(fps[1]?.fp);
  });
});

describe("markers", () => {
  it("round-trips through a comment body", () => {
    const a = fingerprint(base, "a");
    const b = fingerprint(base, "b");
    const body = `text ${findingMarker(a)}\nmore\n${findingMarker(b)} <!-- data-engineer:finding=nothex -->`;
    expect(findingMarker(a)).toBe(`<!-- data-engineer:finding=${a} -->`);
    expect(markersIn(body)).toEqual([a, b]);
    expect(markersIn("no markers")).toEqual([]);
  });
});
