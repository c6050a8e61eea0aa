import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG } from "../../src/config/repo-config.js";
import { detectMigrations } from "../../src/migrations/detect.js";
import type { SourceFile } from "../../src/migrations/model.js";
import { AnalysisPool, type AnalysisPoolSettings } from "../../src/review/analysis-pool.js";
import { analysisSettingsFromEnv } from "../../src/review/analysis-settings.js";
import { analyzeMigrations, type AnalysisResult } from "../../src/rules/engine.js";
import { loadSqlParser } from "../../src/sql/parse.js";

/**
 * The analysis pool runs the compiled worker (dist/review/analysis-worker.js, built by the test
 * setup). Deadlines here are far from the work's real duration on either side: a tiny one, or
 * one that a migration the parser would read for half a minute exceeds while a one-line one is done in
 * milliseconds.
 */

await loadSqlParser();

const GENEROUS: AnalysisPoolSettings = { workers: 1, reviewDeadlineMs: 120_000, migrationDeadlineMs: 60_000, memoryMb: 512 };
const pools: AnalysisPool[] = [];
function pool(settings: Partial<AnalysisPoolSettings> = {}): AnalysisPool {
  const created = new AnalysisPool({ ...GENEROUS, ...settings });
  pools.push(created);
  return created;
}
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

/** Postgres's scanner takes time quadratic in comment nesting: this file would hold the parser for half a minute or more. */
const FOR_MINUTES = Array.from({ length: 20 }, () => `${"/*".repeat(20_000)}${"*/".repeat(20_000)}\nSELECT 1;\n`).join("");

const files: SourceFile[] = [
  {
    path: "db/migrate/20240101000000_create_accounts.sql",
    text: "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\nALTER TABLE accounts ADD COLUMN name text NOT NULL;\nCREATE INDEX accounts_email ON accounts (email);\n",
  },
  {
    path: "db/migrate/20240102000000_alter_accounts.sql",
    text: "ALTER TABLE accounts ADD COLUMN age integer NOT NULL DEFAULT 0;\nALTER TABLE accounts ALTER COLUMN email SET NOT NULL;\nCREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN x int NOT NULL;\n",
  },
];

/** The analysis as plain data: what the worker computes, less what cannot cross (the trees stay in the worker). */
function plainData(result: AnalysisResult): unknown {
  return JSON.parse(JSON.stringify(result, (key, value: unknown) => (key === "node" || key === "createdRelations" || key === "notNull" ? undefined : value)));
}

describe("the analysis pool", () => {
  it("gives the analysis the engine gives on this thread: findings, statements, created relations, the caller's sections", async () => {
    const migrations = detectMigrations(files);
    const here = analyzeMigrations(files, migrations, { config: DEFAULT_REPO_CONFIG });
    const { result, notReviewed } = await pool().analyse(files, migrations, DEFAULT_REPO_CONFIG);

    expect(notReviewed).toEqual([]);
    expect(here.findings.length).toBeGreaterThan(0);
    expect(plainData(result)).toEqual(plainData(here));
    const names = ["accounts", "accounts_email", "t", "missing"];
    const seen = (r: AnalysisResult) =>
      r.migrations.flatMap((m) => m.sections.flatMap((s) => s.statements.map((st) => names.filter((n) => st.createdRelations.has(n)).join(","))));
    expect(seen(result)).toEqual(seen(here));
    // What each statement sees as created earlier in its own migration.
    expect(seen(result)).toEqual(["", "accounts", "accounts", "", "", "", "t"]);
    for (const [m, analysis] of result.migrations.entries()) {
      expect(analysis.migration).toBe(migrations[m]);
      for (const { section, statements } of analysis.sections) {
        expect(migrations[m]?.sections).toContain(section);
        for (const statement of statements) expect(statement.section).toBe(section);
      }
    }
    const statement = result.migrations[0]?.sections[0]?.statements[0];
    expect(() => statement?.node).toThrow(/analysed in a worker thread: its syntax tree stayed there/);
    // An ALTER TABLE's tree crosses: the Handoff Report reads its subcommands.
    const alters = (r: AnalysisResult) => r.migrations.flatMap((m) => m.sections.flatMap((s) => s.statements.filter((st) => st.kind === "AlterTableStmt")));
    expect(alters(result).length).toBeGreaterThan(0);
    expect(alters(result).map((st) => st.node)).toEqual(alters(here).map((st) => st.node));
  });

  it("lists a migration over its deadline as not reviewed and refused, and still analyses the others on a fresh worker", async () => {
    const hostile: SourceFile = { path: "db/migrate/20240103000000_comments.sql", text: FOR_MINUTES };
    const all = [...files, hostile];
    const migrations = detectMigrations(all);
    const analysis = pool({ migrationDeadlineMs: 1500 });

    const { result, notReviewed } = await analysis.analyse(all, migrations, DEFAULT_REPO_CONFIG);

    expect(notReviewed).toEqual([{ path: hostile.path, reason: "analysis took longer than 1.5 s", refused: true }]);
    expect(result.migrations.map((m) => m.migration.files)).toEqual([[files[0]?.path], [files[1]?.path]]);
    expect(result.findings.map((f) => f.path)).toContain(files[1]?.path);
    // The worker that was stopped was replaced: the pool still analyses.
    const again = await analysis.analyse(files, detectMigrations(files), DEFAULT_REPO_CONFIG);
    expect(again.notReviewed).toEqual([]);
    expect(again.result.findings).toEqual(result.findings);
  });

  it("lists every file of a review over the review's deadline", async () => {
    const migrations = detectMigrations(files);
    const { result, notReviewed } = await pool({ reviewDeadlineMs: 1 }).analyse(files, migrations, DEFAULT_REPO_CONFIG);
    expect(result).toEqual({ migrations: [], findings: [] });
    expect(notReviewed).toEqual(files.map((f) => ({ path: f.path, reason: "analysis took longer than 0.001 s (the limit for one review)", refused: true })));
  });

  it("lists a migration that runs the worker out of memory, and the worker is replaced", async () => {
    // 27 000 DDL statements: a heap of about 200 MB, over a cap of 64 MiB.
    const big = Array.from({ length: 13_600 }, (_, i) => `ALTER TABLE t${i % 50} ADD COLUMN c${i} integer;\nCREATE INDEX i${i} ON t${i % 50} (c${i});\n`).join(
      "",
    );
    const heavy: SourceFile[] = [{ path: "db/migrate/20240104000000_big.sql", text: big }];
    const analysis = pool({ memoryMb: 64 });
    const { result, notReviewed } = await analysis.analyse(heavy, detectMigrations(heavy), DEFAULT_REPO_CONFIG);
    expect(notReviewed).toEqual([{ path: heavy[0]?.path, reason: "analysis ran out of memory (more than 64 MiB)", refused: true }]);
    expect(result.migrations).toEqual([]);
    const again = await analysis.analyse(files, detectMigrations(files), DEFAULT_REPO_CONFIG);
    expect(again.notReviewed).toEqual([]);
  });

  it("queues reviews beyond its workers and answers each with its own analysis", async () => {
    const analysis = pool({ workers: 1 });
    const first = [files[0] as SourceFile];
    const second = [files[1] as SourceFile];
    const [a, b] = await Promise.all([
      analysis.analyse(first, detectMigrations(first), DEFAULT_REPO_CONFIG),
      analysis.analyse(second, detectMigrations(second), DEFAULT_REPO_CONFIG),
    ]);
    expect(a.result.migrations.map((m) => m.migration.files)).toEqual([[first[0]?.path]]);
    expect(b.result.migrations.map((m) => m.migration.files)).toEqual([[second[0]?.path]]);
    expect(plainData(b.result)).toEqual(plainData(analyzeMigrations(second, detectMigrations(second), { config: DEFAULT_REPO_CONFIG })));
  });
});

describe("the analysis pool's settings", () => {
  it("defaults to one worker, and names each malformed setting", () => {
    expect(analysisSettingsFromEnv({})).toEqual({
      settings: {
        workers: 1,
        reviewDeadlineMs: 60_000,
        migrationDeadlineMs: 20_000,
        memoryMb: 512,
        maxFileBytes: 1024 * 1024,
        maxReviewBytes: 32 * 1024 * 1024,
        parserMemoryMb: 512,
      },
      problems: [],
    });
    expect(analysisSettingsFromEnv({ ANALYSIS_WORKERS: "0" }).settings).toBeUndefined();
    expect(analysisSettingsFromEnv({ ANALYSIS_MIGRATION_DEADLINE_SECONDS: "0.25" }).settings?.migrationDeadlineMs).toBe(250);
    expect(analysisSettingsFromEnv({ ANALYSIS_WORKERS: "two", ANALYSIS_DEADLINE_SECONDS: "0", ANALYSIS_MEMORY_MB: "8" }).problems).toEqual([
      'ANALYSIS_WORKERS must be a whole number from 0 to 64, not "two".',
      'ANALYSIS_DEADLINE_SECONDS must be a number of seconds above 0, not "0".',
      'ANALYSIS_MEMORY_MB must be a whole number of MiB, at least 64, not "8".',
    ]);
  });
});
