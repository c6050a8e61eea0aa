import { existsSync } from "node:fs";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { DEMO_DIR, demoReviewInput } from "../src/cli/commands/demo.js";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../src/config/repo-config.js";
import { detectMigrations } from "../src/migrations/detect.js";
import type { Migration, SourceFile } from "../src/migrations/model.js";
import { AnalysisPool } from "../src/review/analysis-pool.js";
import { detectChanges } from "../src/review/detect.js";
import { analyzeMigrations } from "../src/rules/engine.js";
import { loadSqlParser } from "../src/sql/parse.js";

/**
 * The analysis on the event loop against the analysis pool (issue 18): wall time, the event
 * loop's longest delay while it runs (monitorEventLoopDelay), and the process's peak RSS, for the
 * demo and for a generated 1 MiB migration of 27 000 DDL statements.
 *   npm run bench:build && node bench/.out/bench/analysis-pool.js
 */

/** The demo beside the compiled sources, or in the project when they are compiled into bench/.out/. */
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const demoDir = existsSync(join(DEMO_DIR, "pull-request.json")) ? DEMO_DIR : join(ROOT, "examples/demo");

interface Case {
  name: string;
  files: readonly SourceFile[];
  migrations: readonly Migration[];
  config: RepoConfig;
}

interface Figures {
  ms: number;
  maxDelayMs: number;
  peakRssMb: number;
}

async function measure(run: () => Promise<unknown>): Promise<Figures> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  delay.enable();
  // A turn of the event loop on either side, so that a block inside `run` shows as a delay.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 20));
  delay.disable();
  clearInterval(sampler);
  return { ms, maxDelayMs: delay.max / 1e6, peakRssMb: peak / 1024 / 1024 };
}

function largeMigration(): Case {
  const lines: string[] = [];
  for (let i = 0, size = 0; size < 1024 * 1024 - 1000; i++) {
    const pair = `ALTER TABLE t${i % 50} ADD COLUMN c${i} integer;\nCREATE INDEX i${i} ON t${i % 50} (c${i});\n`;
    lines.push(pair);
    size += pair.length;
  }
  const files = [{ path: "db/migrations/20240101000000_large.sql", text: lines.join("") }];
  return { name: "1 MiB, 27 000 DDL statements", files, migrations: detectMigrations(files), config: DEFAULT_REPO_CONFIG };
}

async function main(): Promise<void> {
  await loadSqlParser();
  const { input } = await demoReviewInput(demoDir);
  const demo: Case = {
    name: "demo",
    files: input.files,
    migrations: detectChanges(input.files, input.relevant, input.config).migrations,
    config: input.config,
  };
  const pool = new AnalysisPool({ workers: 1, reviewDeadlineMs: 600_000, migrationDeadlineMs: 600_000, memoryMb: 1024 });
  try {
    // The worker's start (its own copy of the parser and the rules) is paid once per worker, not per review.
    const warm = await measure(() => pool.analyse(demo.files, demo.migrations, demo.config));
    console.log(`worker start-up and first (demo) analysis: ${warm.ms.toFixed(0)} ms, event loop delayed at most ${warm.maxDelayMs.toFixed(0)} ms`);
    for (const c of [demo, largeMigration()]) {
      const here = await measure(() => Promise.resolve(analyzeMigrations(c.files, c.migrations, { config: c.config })));
      const pooled = await measure(() => pool.analyse(c.files, c.migrations, c.config));
      console.log(
        `${c.name}: on the event loop ${here.ms.toFixed(0)} ms (loop delayed ${here.maxDelayMs.toFixed(0)} ms, peak RSS ${here.peakRssMb.toFixed(0)} MB); ` +
          `in the worker ${pooled.ms.toFixed(0)} ms (loop delayed ${pooled.maxDelayMs.toFixed(0)} ms, peak RSS ${pooled.peakRssMb.toFixed(0)} MB)`,
      );
    }
  } finally {
    await pool.close();
  }
}

await main();
