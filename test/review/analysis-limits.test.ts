import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG } from "../../src/config/repo-config.js";
import { detectMigrations } from "../../src/migrations/detect.js";
import type { SourceFile } from "../../src/migrations/model.js";
import { withinByteLimits } from "../../src/review/analysis-byte-limits.js";
import { AnalysisPool, type AnalysisPoolSettings } from "../../src/review/analysis-pool.js";
import { analysisSettingsFromEnv } from "../../src/review/analysis-settings.js";

/**
 * Issue 18: the analysis worker's heap cap does not bound libpg-query's WebAssembly memory. The
 * text sent to the parser is capped per file and per review (over it: listed as not reviewed,
 * refused), and a worker whose parser memory grew past its cap is replaced after the review.
 */

const GENEROUS: AnalysisPoolSettings = { workers: 1, reviewDeadlineMs: 120_000, migrationDeadlineMs: 60_000, memoryMb: 512 };
const pools: AnalysisPool[] = [];
function pool(settings: Partial<AnalysisPoolSettings>): AnalysisPool {
  const created = new AnalysisPool({ ...GENEROUS, ...settings });
  pools.push(created);
  return created;
}
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

const files: SourceFile[] = [
  { path: "db/migrate/20240101000000_small.sql", text: "CREATE TABLE a (id int);\n" },
  { path: "db/migrate/20240102000000_large.sql", text: `CREATE TABLE b (id int);\n${"-- é padding\n".repeat(100)}` },
  { path: "db/migrate/20240103000000_after.sql", text: "CREATE TABLE c (id int);\n" },
];
const migrations = detectMigrations(files);
const bytes = (path: string) => Buffer.byteLength(files.find((f) => f.path === path)?.text ?? "");
const LARGE = "db/migrate/20240102000000_large.sql";

describe("the analysis's byte limits", () => {
  it("lists a migration with a file over the limit for a file, and analyses the others", async () => {
    const { result, notReviewed } = await pool({ maxFileBytes: 100 }).analyse(files, migrations, DEFAULT_REPO_CONFIG);

    expect(notReviewed).toEqual([
      { path: LARGE, reason: `${LARGE} holds ${bytes(LARGE)} bytes, more than the analysis parses of one file (100)`, refused: true },
    ]);
    expect(result.migrations.map((m) => m.migration.files[0])).toEqual([files[0]?.path, files[2]?.path]);
  });

  it("lists, from the first migration that takes the review over its limit, it and every later one", () => {
    const limit = bytes(files[0]?.path ?? "") + 10;
    const { analysable, notReviewed } = withinByteLimits(files, migrations, { maxFileBytes: 1_000_000, maxReviewBytes: limit });

    expect(analysable).toEqual([migrations[0]]);
    const reason = `the review's migrations hold more than ${limit} bytes, the most the analysis parses for one review`;
    expect(notReviewed).toEqual([
      { path: LARGE, reason, refused: true },
      { path: files[2]?.path, reason, refused: true },
    ]);
  });

  it("counts UTF-8 bytes, not characters", () => {
    const text = "é".repeat(60);
    const one: SourceFile[] = [{ path: "db/migrate/20240101000000_e.sql", text }];
    const { notReviewed } = withinByteLimits(one, detectMigrations(one), { maxFileBytes: 100, maxReviewBytes: 1_000 });
    expect(notReviewed.map((n) => n.path)).toEqual(["db/migrate/20240101000000_e.sql"]);
  });
});

describe("the parser memory cap", () => {
  it("replaces a worker whose WebAssembly memory grew past the cap, after its review", async () => {
    // libpg-query starts with 128 MiB of WebAssembly memory: a cap of 1 MiB is past at once.
    const capped = pool({ parserMemoryMb: 1 });
    const first = await capped.analyse(files, migrations, DEFAULT_REPO_CONFIG);
    const second = await capped.analyse(files, migrations, DEFAULT_REPO_CONFIG);

    expect(first.result.findings).toEqual(second.result.findings);
    expect(second.result.migrations).toHaveLength(3);
    expect(capped.workersStarted).toBe(2);
  });

  it("keeps a worker under the cap", async () => {
    const roomy = pool({ parserMemoryMb: 4096 });
    await roomy.analyse(files, migrations, DEFAULT_REPO_CONFIG);
    await roomy.analyse(files, migrations, DEFAULT_REPO_CONFIG);

    expect(roomy.workersStarted).toBe(1);
  });

  it("reads the limits from the environment and names each malformed one", () => {
    const set = analysisSettingsFromEnv({ ANALYSIS_MAX_FILE_BYTES: "2048", ANALYSIS_MAX_REVIEW_BYTES: "4096", ANALYSIS_PARSER_MEMORY_MB: "256" });
    expect(set.problems).toEqual([]);
    expect(set.settings).toMatchObject({ maxFileBytes: 2048, maxReviewBytes: 4096, parserMemoryMb: 256 });
    expect(analysisSettingsFromEnv({}).settings).toMatchObject({ maxFileBytes: 1024 * 1024, maxReviewBytes: 32 * 1024 * 1024, parserMemoryMb: 512 });

    const bad = analysisSettingsFromEnv({ ANALYSIS_MAX_FILE_BYTES: "0", ANALYSIS_MAX_REVIEW_BYTES: "1.5", ANALYSIS_PARSER_MEMORY_MB: "lots" });
    expect(bad.problems).toEqual([
      'ANALYSIS_MAX_FILE_BYTES must be a whole number of bytes above 0, not "0".',
      'ANALYSIS_MAX_REVIEW_BYTES must be a whole number of bytes above 0, not "1.5".',
      'ANALYSIS_PARSER_MEMORY_MB must be a whole number of MiB above 0, not "lots".',
    ]);
  });
});
