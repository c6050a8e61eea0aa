import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_REPO_CONFIG, type RepoConfig } from "../src/config/repo-config.js";
import type { SourceFile } from "../src/migrations/model.js";
import pg from "pg";
import type { ReplayEngine } from "../src/replay/engine.js";
import type { PhaseTimes } from "../src/replay/phase-times.js";
import { openPgliteEngine } from "../src/replay/pglite-engine.js";
import { pristineKey } from "../src/replay/pglite-pristine.js";
import { PGLITE_TAG } from "../src/replay/runner.js";
import { openPostgresEngine } from "../src/replay/postgres-engine.js";
import { createReplayRunner } from "../src/replay/runner.js";
import { testPostgresUrl } from "../test/helpers/postgres.js";
import { loadSqlParser } from "../src/sql/parse.js";

/**
 * Replay benchmark: a generated plain-SQL history (golang-migrate pairs: tables, columns, indexes,
 * foreign keys, enums, views, data), replayed as a pull request that adds its last migration:
 * cold (the base history of N-1 migrations is run, and its image stored), then again from the
 * cached image. Prints wall time, peak RSS (the process, PGlite's worker included) and the ratio,
 * per engine: PGlite (its base image a file) and an external PostgreSQL (its base a template
 * database): DATABASE_URL (a role with LOGIN CREATEDB CREATEROLE) or, without one, a throwaway
 * cluster of the PostgreSQL binaries installed here. "Engine start" is opening the engine from the
 * cached base, alone, timed again and again: the part of a replay the base cache saves.
 *
 * Run: npm run bench:replay [-- --migrations 300 --runs 3 --engine pglite|postgres|both]
 */

const { values: args } = parseArgs({
  options: {
    migrations: { type: "string", default: "300" },
    runs: { type: "string", default: "3" },
    engine: { type: "string", default: "both" },
    starts: { type: "string", default: "10" },
    replays: { type: "string", default: "3" },
  },
});
const ENGINES = (args.engine === "both" ? ["pglite", "postgres"] : [args.engine]) as Array<"pglite" | "postgres">;
const STARTS = Number(args.starts);
const MIGRATIONS = Number(args.migrations);
const RUNS = Number(args.runs);
/** One-migration replays from the cached base, per run: the figure the acceptance names. */
const REPLAYS = Number(args.replays);

function pad(n: number): string {
  return String(n).padStart(6, "0");
}

/** Migration i: varied DDL on a handful of growing tables, with the down that undoes it. */
function migration(i: number): { up: string; down: string } {
  const table = `t_${Math.floor(i / 10)}`;
  switch (i % 10) {
    case 0:
      return {
        up: `CREATE TABLE ${table} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  name text NOT NULL,\n  created_at timestamptz NOT NULL DEFAULT now()\n);\n`,
        down: `DROP TABLE ${table};\n`,
      };
    case 1:
      return { up: `ALTER TABLE ${table} ADD COLUMN note text;\n`, down: `ALTER TABLE ${table} DROP COLUMN note;\n` };
    case 2:
      return { up: `CREATE INDEX ${table}_name ON ${table} (name);\n`, down: `DROP INDEX ${table}_name;\n` };
    case 3:
      return {
        up: `INSERT INTO ${table} (name) SELECT 'n' || g FROM generate_series(1, 200) AS g;\n`,
        down: `DELETE FROM ${table};\n`,
      };
    case 4:
      return {
        up: `CREATE TYPE ${table}_state AS ENUM ('new', 'done');\nALTER TABLE ${table} ADD COLUMN state ${table}_state NOT NULL DEFAULT 'new';\n`,
        down: `ALTER TABLE ${table} DROP COLUMN state;\nDROP TYPE ${table}_state;\n`,
      };
    case 5:
      return {
        up:
          i >= 15
            ? `ALTER TABLE ${table} ADD COLUMN parent_id bigint REFERENCES t_${Math.floor(i / 10) - 1} (id);\n`
            : `ALTER TABLE ${table} ADD COLUMN parent_id bigint;\n`,
        down: `ALTER TABLE ${table} DROP COLUMN parent_id;\n`,
      };
    case 6:
      return {
        up: `ALTER TABLE ${table} ADD CONSTRAINT ${table}_name_len CHECK (char_length(name) < 200) NOT VALID;\n`,
        down: `ALTER TABLE ${table} DROP CONSTRAINT ${table}_name_len;\n`,
      };
    case 7:
      return { up: `ALTER TABLE ${table} VALIDATE CONSTRAINT ${table}_name_len;\n`, down: `SELECT 1;\n` };
    case 8:
      return {
        up: `CREATE VIEW ${table}_recent AS SELECT id, name FROM ${table} WHERE created_at > now() - interval '1 day';\n`,
        down: `DROP VIEW ${table}_recent;\n`,
      };
    default:
      return { up: `ALTER TABLE ${table} ALTER COLUMN note SET DEFAULT '';\n`, down: `ALTER TABLE ${table} ALTER COLUMN note DROP DEFAULT;\n` };
  }
}

function history(n: number): SourceFile[] {
  const files: SourceFile[] = [];
  for (let i = 0; i < n; i++) {
    const { up, down } = migration(i);
    files.push({ path: `db/migrations/${pad(i + 1)}_step_${i}.up.sql`, text: up }, { path: `db/migrations/${pad(i + 1)}_step_${i}.down.sql`, text: down });
  }
  return files;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** An operator role (LOGIN CREATEDB CREATEROLE) on the server DATABASE_URL names, or on a throwaway cluster. */
async function operatorUrl(): Promise<string | undefined> {
  const given = process.env.DATABASE_URL?.trim();
  if (given) return given;
  const superuser = await testPostgresUrl();
  if (superuser === undefined) return undefined;
  const client = new pg.Client({ connectionString: superuser });
  await client.connect();
  try {
    await client.query(
      "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'data_engineer_bench') THEN CREATE ROLE data_engineer_bench LOGIN CREATEDB CREATEROLE; END IF; END $$",
    );
  } finally {
    await client.end();
  }
  const url = new URL(superuser);
  url.username = "data_engineer_bench";
  url.password = "";
  return url.toString();
}

function seconds(values: readonly number[]): string {
  return `median ${(median(values) / 1000).toFixed(3)} s  [${values.map((ms) => (ms / 1000).toFixed(2)).join(", ")}]`;
}

async function benchEngine(engine: "pglite" | "postgres", files: SourceFile[], changed: Set<string>): Promise<string[]> {
  const databaseUrl = engine === "postgres" ? await operatorUrl() : undefined;
  if (engine === "postgres" && databaseUrl === undefined) return ["postgres: skipped (no DATABASE_URL and no PostgreSQL binaries here)"];
  const config: RepoConfig = { ...DEFAULT_REPO_CONFIG, replay: { enabled: true, engine, deadlineSeconds: 900 } };
  const env = databaseUrl ? { DATABASE_URL: databaseUrl } : {};
  const cold: number[] = [];
  const warm: number[] = [];
  const warmPhases: PhaseTimes[] = [];
  const spared: number[] = [];
  const sparedPhases: PhaseTimes[] = [];
  const starts: number[] = [];
  const emptyStarts: number[] = [];
  const pristineStarts: number[] = [];
  let baseMigrations = 0;
  let version = "";
  for (let run = 0; run < RUNS; run++) {
    const cacheDir = mkdtempSync(join(tmpdir(), "de-bench-replay-"));
    // The external engine twice on the same cached base: cloning it when a replay starts, and
    // with a spare clone made after the previous replay (the first of these still clones).
    const plain = createReplayRunner({ env, cacheDir, spareClones: false });
    const withSpares = engine === "postgres" ? createReplayRunner({ env, cacheDir, spareClones: true }) : undefined;
    try {
      const replays: Array<{ label: string; runner: typeof plain; into: number[]; phases?: PhaseTimes[] }> = [
        { label: "cold", runner: plain, into: cold },
        ...Array.from({ length: REPLAYS }, () => ({ label: "cached", runner: plain, into: warm, phases: warmPhases })),
        ...(withSpares
          ? Array.from({ length: REPLAYS }, () => ({ label: "cached, spare clones", runner: withSpares, into: spared, phases: sparedPhases }))
          : []),
      ];
      for (const { label, runner, into, phases } of replays) {
        // A pull request's pushes are seconds apart, not back to back: the spare is made meanwhile.
        await runner.idle();
        const started = performance.now();
        const outcome = await runner.run({ files, changed, config }, {});
        const ms = performance.now() - started;
        if (outcome.status !== "replayed" || outcome.fromCache !== (label !== "cold")) {
          throw new Error(`${engine} run ${run + 1} ${label}: ${outcome.status} ${outcome.reason ?? ""} (from cache: ${outcome.fromCache})`);
        }
        baseMigrations = outcome.baseMigrations;
        version = outcome.engine ?? "";
        into.push(ms);
        if (outcome.phases) phases?.push(outcome.phases);
        process.stderr.write(`${engine} run ${run + 1} ${label}: ${(ms / 1000).toFixed(2)} s, ${outcome.findings.length} findings\n`);
      }
      await withSpares?.close();
      // The cached base (a PGlite image, or the marker of a template database): open an engine from it, alone.
      const images = readdirSync(cacheDir).filter((name) => name.endsWith(".tar.gz"));
      const pristineFile = `${pristineKey(PGLITE_TAG)}.tar.gz`;
      const image = images.find((name) => name !== pristineFile);
      if (run === 0 && image !== undefined) {
        const from = new Uint8Array(readFileSync(join(cacheDir, image)));
        for (let i = 0; i < STARTS; i++) {
          const started = performance.now();
          const opened: ReplayEngine =
            engine === "postgres" && databaseUrl
              ? await openPostgresEngine(databaseUrl, { deadlineMs: 60_000, from })
              : await openPgliteEngine({ deadlineMs: 60_000, from });
          starts.push(performance.now() - started);
          await opened.close();
        }
        // An empty base on PGlite: a new cluster (initdb) against the kept pristine cluster image.
        if (engine === "pglite" && images.includes(pristineFile)) {
          const pristine = new Uint8Array(readFileSync(join(cacheDir, pristineFile)));
          for (let i = 0; i < STARTS; i++) {
            for (const [from, into] of [
              [undefined, emptyStarts],
              [pristine, pristineStarts],
            ] as const) {
              const started = performance.now();
              const opened = await openPgliteEngine({ deadlineMs: 60_000, ...(from ? { from } : {}) });
              into.push(performance.now() - started);
              await opened.close();
            }
          }
        }
      }
    } finally {
      await withSpares?.close();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }
  return [
    `${engine} (${version.split(" ").slice(0, 2).join(" ")}): ${MIGRATIONS} plain-SQL migrations (base ${baseMigrations} + 1 of the pull request), ${RUNS} runs each`,
    `  cold (base history run, base kept):  ${seconds(cold)}`,
    `  from the cached base:                ${seconds(warm)}`,
    `  cold ÷ cached: ${(median(cold) / median(warm)).toFixed(1)}x`,
    `  engine start from the cached base, alone (${STARTS} times): ${seconds(starts)}`,
    ...(emptyStarts.length > 0
      ? [
          `  engine start, empty base, new cluster (initdb):   ${seconds(emptyStarts)}`,
          `  engine start, empty base, pristine cluster image: ${seconds(pristineStarts)}`,
        ]
      : []),
    ...phaseLines("one-migration replay from the cached base", warmPhases),
    ...(spared.length > 0
      ? [`  from the cached base, spare clones on:  ${seconds(spared)}`, ...phaseLines("the same with spare clones on", sparedPhases)]
      : []),
  ];
}

/**
 * Engine time of the one-migration replays from the cached base (everything the engine does:
 * start, the traced up, fingerprints, down, up again, close; not reading and parsing the
 * history), and its parts, each a median over the replays. Parts of a part are indented.
 */
function phaseLines(title: string, runs: readonly PhaseTimes[]): string[] {
  if (runs.length === 0) return [];
  const names = [...new Set(runs.flatMap((times) => Object.keys(times)))];
  const top = names.filter((name) => !name.includes(": "));
  const engineTime = runs.map((times) => top.reduce((sum, name) => sum + (times[name] ?? 0), 0));
  const ms = (name: string) =>
    median(runs.map((times) => times[name] ?? 0))
      .toFixed(1)
      .padStart(7);
  const lines = [`  ${title}, engine time: ${seconds(engineTime)}`];
  for (const name of top) {
    lines.push(`    ${name.padEnd(44)} ${ms(name)} ms`);
    for (const part of names.filter((other) => other.startsWith(`${name}: `))) lines.push(`      ${part.slice(name.length + 2).padEnd(42)} ${ms(part)} ms`);
  }
  return lines;
}

async function main(): Promise<void> {
  await loadSqlParser();
  const files = history(MIGRATIONS);
  const last = `db/migrations/${pad(MIGRATIONS)}`;
  const changed = new Set(files.filter((f) => f.path.startsWith(last)).map((f) => f.path));
  const lines: string[] = [];
  for (const engine of ENGINES) lines.push(...(await benchEngine(engine, files, changed)));
  lines.push(`peak RSS of the process (PGlite's worker included): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

await main();
