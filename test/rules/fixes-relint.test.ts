import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ANALYSIS_CONFIG } from "../../src/config/analysis-config.js";
import { collectFiles } from "../../src/migrations/collect-files.js";
import { detectMigrations } from "../../src/migrations/detect.js";
import type { SourceFile } from "../../src/migrations/model.js";
import { analyzeMigrations } from "../../src/rules/engine.js";
import type { Finding } from "../../src/rules/types.js";
import { loadSqlParser } from "../../src/sql/parse.js";

/**
 * Every suggested fix that the analyser offers on the project's example and fixture migrations,
 * applied to its file, must lint again with no error that was not there before: a one-click fix
 * that breaks the migration (CONCURRENTLY where the runner keeps a transaction open) is worse
 * than none.
 */

const ROOT = join(import.meta.dirname, "../..");
const FOLDERS = ["examples/demo/repo", "test/fixtures/frameworks", "test/fixtures/lint-demo"];

function lintFiles(files: readonly SourceFile[]): Finding[] {
  return analyzeMigrations(files, detectMigrations(files, {}), { config: DEFAULT_ANALYSIS_CONFIG }).findings;
}

function applyFix(text: string, fix: NonNullable<Finding["fix"]>): string {
  const lines = text.split("\n");
  lines.splice(fix.line - 1, fix.endLine - fix.line + 1, ...fix.replacement.replace(/\n$/, "").split("\n"));
  return lines.join("\n");
}

const errorKey = (f: Finding): string => `${f.rule}@${f.path}`;

describe("suggested fixes lint again", () => {
  beforeAll(() => loadSqlParser());

  const targets = FOLDERS.flatMap((folder) => {
    const top = join(ROOT, folder);
    return folder === "examples/demo/repo" ? [top] : readdirSync(top).map((d) => join(top, d));
  });

  it("finds fixes to check", async () => {
    let fixes = 0;
    for (const target of targets) {
      const { files } = await collectFiles([target], ROOT);
      fixes += lintFiles(files).filter((f) => f.fix).length;
    }
    // Guards the test below against checking nothing.
    expect(fixes).toBeGreaterThan(0);
  });

  for (const target of targets) {
    it(`${relative(ROOT, target)}: no fix adds an error`, async () => {
      const { files } = await collectFiles([target], ROOT);
      const before = lintFiles(files);
      const errorsBefore = new Set(before.filter((f) => f.severity === "error").map(errorKey));
      for (const finding of before) {
        if (!finding.fix) continue;
        const fixed = files.map((f) => (f.path === finding.path ? { ...f, text: applyFix(f.text, finding.fix!) } : f));
        const after = lintFiles(fixed);
        const added = after.filter((f) => f.severity === "error" && !errorsBefore.has(errorKey(f)));
        expect(
          added.map((f) => `${f.rule} ${f.path}:${f.line} ${f.message}`),
          `${finding.fix.title} at ${finding.path}:${finding.line}`,
        ).toEqual([]);
        // The fix removes what it fixes.
        expect(after.some((f) => f.rule === finding.rule && f.path === finding.path && f.line === finding.line)).toBe(false);
      }
    });
  }
});
