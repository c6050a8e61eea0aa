import { describe, expect, it } from "vitest";
import { analyzeMigrations } from "../../src/rules/engine.js";
import { findingMarker, fingerprint, markerSeal, markersIn, normalizeStatement, sealMarker, statementTextFor } from "../../src/report/fingerprint.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { caseMigration } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

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

const KEY = Buffer.from("test marker key");
const SCOPE = { owner: "acme", repo: "shop", pullNumber: 7 };
const sealed = (fp: string, seal = markerSeal(KEY, SCOPE)) => sealMarker(`**Error** text\n\n${findingMarker(fp)}`, seal);

describe("markers", () => {
  it("trusts a correctly sealed marker of ours on the comment's last line", () => {
    const fp = fingerprint(base, "a");
    const body = sealed(fp);
    expect(body.endsWith(`\n${findingMarker(fp)}<!-- data-engineer:seal=${markerSeal(KEY, SCOPE).seal(fp)} -->`)).toBe(true);
    expect(markersIn(body, markerSeal(KEY, SCOPE))).toEqual([fp]);
    // GitHub may hand the body back with CRLF line ends and a trailing newline.
    expect(markersIn(`${body.replace(/\n/g, "\r\n")}\r\n`, markerSeal(KEY, { ...SCOPE, owner: "ACME" }))).toEqual([fp]);
  });

  it("does not trust a marker sealed for another repository, another pull request or with another key", () => {
    const fp = fingerprint(base, "a");
    const body = sealed(fp);
    expect(markersIn(body, markerSeal(KEY, { ...SCOPE, repo: "other" }))).toEqual([]);
    expect(markersIn(body, markerSeal(KEY, { ...SCOPE, owner: "other" }))).toEqual([]);
    expect(markersIn(body, markerSeal(KEY, { ...SCOPE, pullNumber: 8 }))).toEqual([]);
    expect(markersIn(body, markerSeal(Buffer.from("another key"), SCOPE))).toEqual([]);
  });

  it("does not trust a sealed marker anywhere but the last line", () => {
    const fp = fingerprint(base, "a");
    const seal = markerSeal(KEY, SCOPE);
    expect(markersIn(`${sealed(fp)}\nquoted after`, seal)).toEqual([]);
    expect(markersIn(`\`${sealed(fp).split("\n").at(-1) ?? ""}\``, seal)).toEqual([]);
  });

  it("ignores the unsealed markers of earlier versions and seals only a marker on the last line", () => {
    const a = fingerprint(base, "a");
    const seal = markerSeal(KEY, SCOPE);
    expect(markersIn(`text\n\n${findingMarker(a)}`, seal)).toEqual([]);
    expect(markersIn(`text ${findingMarker(a)}\n<!-- data-engineer:finding=nothex -->`, seal)).toEqual([]);
    const notLast = `${findingMarker(a)}\nquoted`;
    expect(sealMarker(notLast, seal)).toBe(notLast);
    expect(markersIn("no markers", seal)).toEqual([]);
  });

  it("reads every fingerprint of a grouped comment's marker under one seal, and a single marker of earlier versions as before", () => {
    const seal = markerSeal(KEY, SCOPE);
    const [a, b, c] = [fingerprint(base, "a"), fingerprint(base, "b"), `agent-${"c".repeat(64)}`];
    const body = sealMarker(`**Error** one\n\n**Warning** two\n\n${findingMarker([a, b, c])}`, seal);
    expect(markersIn(body, seal)).toEqual([a, b, c]);
    // The seal covers the whole list: dropping or adding a fingerprint breaks it.
    const lastLine = body.split("\n").at(-1) ?? "";
    expect(markersIn(body.replace(lastLine, lastLine.replace(`${a},`, "")), seal)).toEqual([]);
    expect(markersIn(body.replace(lastLine, lastLine.replace(`${a},`, `${a},${"d".repeat(64)},`)), seal)).toEqual([]);
    // A list of one is the marker earlier versions wrote and sealed: comments already posted stay readable.
    expect(findingMarker([a])).toBe(findingMarker(a));
    const old = `**Error** text\n\n<!-- data-engineer:finding=${a} --><!-- data-engineer:seal=${seal.seal(a)} -->`;
    expect(markersIn(old, seal)).toEqual([a]);
  });
});
