import { PGlite } from "@electric-sql/pglite";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_ANALYSIS_CONFIG } from "../../src/config/analysis-config.js";
import { collectFiles } from "../../src/migrations/collect-files.js";
import { detectMigrations } from "../../src/migrations/detect.js";
import type { SourceFile } from "../../src/migrations/model.js";
import { analyzeMigrations, type AnalysisResult } from "../../src/rules/engine.js";
import { applyFix } from "../../src/rules/fix-check.js";
import type { Finding } from "../../src/rules/types.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { PLAIN_SQL_FRAMEWORKS, resetSchema, runLikeRunner, stepsOf } from "../helpers/runner-mode.js";

/**
 * The acceptance test of issue 17's suggestions: every fix the analyser offers on the project's
 * example and fixture migrations, applied to its file, must lint again with no error that was not
 * there before and without the finding it fixes; and for frameworks whose migrations are SQL files
 * run as written, the fixed migration (after the ones before it in its folder) must run in PGlite
 * the way its runner runs it: in BEGIN … COMMIT when the runner wraps it, outside when it does not
 * (or when the fix's directive says so). A one-click fix that breaks the migration is worse than none.
 */

const ROOT = join(import.meta.dirname, "../..");
const subfolders = (folder: string): string[] => readdirSync(join(ROOT, folder)).map((name) => `${folder}/${name}`);

/** Every fixture folder of migrations the tests use. */
const FOLDERS = [
  "examples/demo/repo",
  ...subfolders("test/fixtures/frameworks"),
  ...subfolders("test/fixtures/lint-demo"),
  ...subfolders("test/fixtures/fixes"),
  ...subfolders("test/fixtures/dialects"),
  ...subfolders("test/fixtures/templates"),
  ...subfolders("test/fixtures/orm-sql"),
  ...subfolders("test/fixtures/orm-statements"),
  "test/fixtures/golang-migrate-one-query",
  "test/fixtures/pop-autocommit",
  "test/fixtures/liquibase-xml",
  "test/fixtures/liquibase-yaml",
];

/** Templates are run by their tool's renderer first: their fixes are linted again, not run. */
const NOT_RUNNABLE = /^test\/fixtures\/templates\//;

/**
 * Tables a folder's migrations alter without creating them (they existed before the first
 * migration): created empty before the run, with the columns the migrations use.
 */
const EXISTING_TABLES: Record<string, string> = {
  "examples/demo/repo": "CREATE TABLE customers (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, state text, customer_id bigint);",
  "test/fixtures/lint-demo/dbmate": "CREATE TABLE accounts (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint);",
};

function lintFiles(files: readonly SourceFile[]): AnalysisResult {
  return analyzeMigrations(files, detectMigrations(files, {}), { config: DEFAULT_ANALYSIS_CONFIG });
}

const errorCounts = (findings: readonly Finding[]): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const f of findings) if (f.severity === "error") counts.set(`${f.rule} ${f.path}`, (counts.get(`${f.rule} ${f.path}`) ?? 0) + 1);
  return counts;
};

let db: PGlite;
/** What was checked, printed at the end for the record. */
const tally = { fixes: 0, ran: 0, folders: new Set<string>() };

beforeAll(async () => {
  await loadSqlParser();
  db = await PGlite.create();
}, 120_000);

afterAll(async () => {
  process.stdout.write(`suggested fixes: ${tally.fixes} linted again, ${tally.ran} run in PGlite, from ${[...tally.folders].sort().join(", ")}\n`);
  await db.close();
});

/** Runs the fixed migration in PGlite after the migrations before it in its folder, as its runner would. */
async function runFixed(folder: string, files: readonly SourceFile[], after: AnalysisResult, finding: Finding): Promise<void> {
  const target = after.migrations.findIndex((m) => m.migration.files.includes(finding.path));
  const migration = after.migrations[target]?.migration;
  if (!migration) throw new Error(`no migration holds ${finding.path}`);
  const fixLine = finding.fix?.line ?? finding.line;
  const inDown = after.migrations[target]?.sections.some(
    (s) => s.section.direction === "down" && s.section.path === finding.path && s.section.startLine <= fixLine && fixLine <= s.section.endLine,
  );
  await resetSchema(db);
  const existing = EXISTING_TABLES[folder];
  if (existing) await db.exec(existing);
  const sameFolderUpTo = (index: number) => index <= target && after.migrations[index]?.migration.folder === migration.folder;
  for (const step of stepsOf(after, "up", sameFolderUpTo)) await runLikeRunner(db, files, step);
  if (inDown) for (const step of stepsOf(after, "down", (index) => index === target)) await runLikeRunner(db, files, step);
}

describe("suggested fixes lint again and run", () => {
  it("finds fixes to check, in SQL migrations that PGlite can run", async () => {
    let runnable = 0;
    let leaving = 0;
    for (const folder of FOLDERS) {
      const { files } = await collectFiles([join(ROOT, folder)], ROOT);
      const result = lintFiles(files);
      for (const finding of result.findings.filter((f) => f.fix)) {
        const framework = result.migrations.find((m) => m.migration.files.includes(finding.path))?.migration.framework;
        if (framework && PLAIN_SQL_FRAMEWORKS.has(framework) && !NOT_RUNNABLE.test(folder)) runnable++;
        if (/no-transaction|NO TRANSACTION|transaction:false/.test(finding.fix?.replacement ?? "")) leaving++;
      }
    }
    // Guards the tests below against checking nothing.
    expect(runnable).toBeGreaterThan(2);
    // … and the fixes that take a migration out of its runner's transaction among them.
    expect(leaving).toBeGreaterThan(2);
  }, 300_000);

  for (const folder of FOLDERS) {
    it(`${folder}: every fix lints with no new error and runs`, async () => {
      const { files } = await collectFiles([join(ROOT, folder)], ROOT);
      const before = lintFiles(files);
      const errorsBefore = errorCounts(before.findings);
      for (const finding of before.findings) {
        const fix = finding.fix;
        if (!fix) continue;
        tally.fixes++;
        tally.folders.add(folder);
        const where = `${fix.title} at ${relative(ROOT, join(ROOT, finding.path))}:${finding.line}`;
        const fixed = files.map((f) => (f.path === finding.path ? { ...f, text: applyFix(f.text, fix) } : f));
        const after = lintFiles(fixed);
        const added = [...errorCounts(after.findings)].filter(([key, count]) => count > (errorsBefore.get(key) ?? 0));
        expect(added, where).toEqual([]);
        // The fix removes what it fixes.
        const lastLine = fix.line + fix.replacement.split("\n").length - 1;
        expect(
          after.findings.some((f) => f.rule === finding.rule && f.path === finding.path && f.line >= fix.line && f.line <= lastLine),
          where,
        ).toBe(false);
        const framework = before.migrations.find((m) => m.migration.files.includes(finding.path))?.migration.framework;
        if (!framework || !PLAIN_SQL_FRAMEWORKS.has(framework) || NOT_RUNNABLE.test(folder)) continue;
        await expect(
          runFixed(folder, fixed, after, finding).then(() => "ran"),
          where,
        ).resolves.toBe("ran");
        tally.ran++;
      }
    }, 300_000);
  }
});
