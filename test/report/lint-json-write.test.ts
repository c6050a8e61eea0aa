import { describe, expect, it } from "vitest";
import { writeLintJson, type LintJson } from "../../src/report/lint-json.js";

function finding(i: number): LintJson["findings"][number] {
  return {
    rule: "require-lock-timeout",
    severity: i % 2 === 0 ? "warning" : "error",
    category: "locking",
    path: `db/migrations/${i}_step.up.sql`,
    line: i + 1,
    endLine: i + 2,
    message: `"quoted" \u2028 line ${i}\nnext`,
    help: i % 3 === 0 ? "" : "Add `SET lock_timeout`",
    ...(i % 5 === 0 ? { fix: { title: "Add CONCURRENTLY", line: i + 1, endLine: i + 1, replacement: "CREATE INDEX CONCURRENTLY i ON t (c);\n" } } : {}),
  };
}

function written(json: LintJson): { text: string; pieces: Buffer[] } {
  const pieces: Buffer[] = [];
  writeLintJson(json, (piece) => pieces.push(Buffer.from(piece)));
  return { text: Buffer.concat(pieces).toString("utf8"), pieces };
}

describe("writeLintJson", () => {
  const files: LintJson["files"] = [
    { path: "db/migrations/1_step.up.sql", framework: "golang-migrate", migrations: [{ version: "1", name: "step", direction: "up", inTransaction: false }] },
  ];
  const skipped = [{ path: "x.mysql.up.sql", reason: "MySQL migration" }];

  it("writes the bytes JSON.stringify gives, for no finding, one, and several pieces' worth", () => {
    for (const count of [0, 1, 499, 500, 501, 1234]) {
      const json: LintJson = { files, findings: Array.from({ length: count }, (_, i) => finding(i)), skipped };
      expect(written(json).text).toBe(JSON.stringify(json));
    }
    expect(written({ files: [], findings: [], skipped: [] }).text).toBe('{"files":[],"findings":[],"skipped":[]}');
  });

  it("writes a large report in pieces of at most a megabyte, each whole UTF-8 text, ending between findings", () => {
    // Multi-byte text ("…", CJK, an emoji) in every finding: a piece cut inside a character would not decode.
    const long = (i: number): LintJson["findings"][number] => ({ ...finding(i), message: `${"ALTER TABLE … 表 🚀 ".repeat(40)}${i}` });
    const json: LintJson = { files, findings: Array.from({ length: 6000 }, (_, i) => long(i)), skipped };
    const { text, pieces } = written(json);
    expect(text).toBe(JSON.stringify(json));
    expect(pieces.length).toBeGreaterThan(3);
    for (const piece of pieces) {
      expect(piece.byteLength).toBeLessThanOrEqual(1 << 20);
      expect(Buffer.from(piece.toString("utf8"), "utf8").equals(piece)).toBe(true);
    }
    for (const piece of pieces.slice(1, -1)) expect(piece.toString("utf8")).toMatch(/^,?\{"rule":/);
  });

  it("writes a finding longer than a piece on its own, the same bytes", () => {
    const huge = { ...finding(1), message: "x".repeat(1 << 20) };
    const json: LintJson = { files, findings: [finding(0), huge, finding(2)], skipped };
    expect(written(json).text).toBe(JSON.stringify(json));
  });
});
