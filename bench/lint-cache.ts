import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeLintCorpus } from "./lint-corpus.js";
import { median } from "./stats.js";

/**
 * `data-engineer lint` through its result cache: CPU (user + sys of the whole process, from GNU
 * time; stable on a loaded machine, unlike wall time) and peak RSS, cold and warm, on the generated
 * corpus of bench:lint and on a real repository (Lemmy's Diesel migrations, from a mirror), with
 * squawk's CPU on the same files for the ratio. Scenarios, each a median of RUNS processes:
 *   no cache     lint --no-cache (what every run costs without the cache)
 *   cold         an empty cache folder: analyse everything and write the entries
 *   warm         every migration a hit: the parser is never loaded
 *   add one      a warm cache and one migration added at the end of the folder: only it is analysed
 * Run: npm run bench:lint-cache (RUNS=n; MIRRORS=folder of mirrors, default /work/.mirror;
 * SQUAWK=path of a squawk binary, default the one bench:lint installs).
 */

// Compiled to bench/.out/bench/: the project root is three folders up.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const RUNS = Number(process.env.RUNS ?? 5);
const MIRRORS = process.env.MIRRORS ?? "/work/.mirror";
const SQUAWK = process.env.SQUAWK ?? join(ROOT, "bench/.out/squawk-2.66.0/node_modules/.bin/squawk");
const CLI = join(ROOT, "dist/cli/main.js");
const LEMMY = { repo: "LemmyNet+lemmy", commit: "439734dd638a2c06a2f907beab7dcf4646e88f86" };

if (!existsSync("/usr/bin/time")) throw new Error("this benchmark reads CPU time from GNU time: apt-get install time");

interface Figures {
  cpu: number;
  peakMb: number;
  stdout: string;
}

function measure(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Figures {
  const result = spawnSync("/usr/bin/time", ["-f", "__CPU__ %U %S %M", command, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  const match = /__CPU__ ([\d.]+) ([\d.]+) (\d+)/.exec(result.stderr);
  if ((result.status !== 0 && result.status !== 1) || !match) throw new Error(`${command} failed (${result.status}): ${result.stderr.slice(0, 800)}`);
  return { cpu: Number(match[1]) + Number(match[2]), peakMb: Number(match[3]) / 1024, stdout: result.stdout };
}

interface Corpus {
  name: string;
  /** What lint is given. */
  lintPaths: string[];
  /** The SQL files squawk is given (it takes files, not folders). */
  sqlFiles: () => string[];
  /** Adds one migration at the end of the folder (distinct per run); returns its removal. */
  addOne: (run: number) => () => void;
}

const lint = (paths: readonly string[], extra: readonly string[], cacheDir?: string): Figures =>
  measure(process.execPath, [CLI, "lint", "--format", "json", ...extra, ...paths], cacheDir ? { DATA_ENGINEER_CACHE_DIR: cacheDir } : {});

function report(corpus: Corpus): void {
  const scratch = mkdtempSync(join(tmpdir(), "de-bench-cache-"));
  try {
    const uncached: Figures[] = [];
    const cold: Figures[] = [];
    const warm: Figures[] = [];
    const addOne: Figures[] = [];
    const squawk: Figures[] = [];
    const warmDir = join(scratch, "warm");
    const reference = lint(corpus.lintPaths, [], warmDir).stdout;
    for (let run = 0; run < RUNS; run++) {
      uncached.push(lint(corpus.lintPaths, ["--no-cache"]));
      cold.push(lint(corpus.lintPaths, [], join(scratch, `cold-${run}`)));
      rmSync(join(scratch, `cold-${run}`), { recursive: true, force: true });
      const hit = lint(corpus.lintPaths, [], warmDir);
      if (hit.stdout !== reference) throw new Error(`${corpus.name}: a warm run printed something else than the cold run`);
      warm.push(hit);
      const remove = corpus.addOne(run);
      try {
        addOne.push(lint(corpus.lintPaths, [], warmDir));
      } finally {
        remove();
      }
      if (existsSync(SQUAWK)) squawk.push(measure(SQUAWK, ["--reporter", "json", ...corpus.sqlFiles()]));
    }
    const cpu = (runs: Figures[]) => median(runs.map((r) => r.cpu));
    const peak = (runs: Figures[]) => median(runs.map((r) => r.peakMb));
    const theirs = squawk.length > 0 ? cpu(squawk) : undefined;
    const line = (label: string, runs: Figures[]) =>
      `  ${label.padEnd(30)} ${cpu(runs).toFixed(2)} s CPU, ${peak(runs).toFixed(0).padStart(4)} MB peak${theirs ? `, ${(cpu(runs) / theirs).toFixed(2)}× squawk's CPU` : ""}`;
    console.log(`${corpus.name}: ${corpus.sqlFiles().length} SQL files; medians of ${RUNS} processes`);
    console.log(line("lint --no-cache", uncached));
    console.log(line("lint, cold (writes the cache)", cold));
    console.log(line("lint, warm (every hit)", warm));
    console.log(line("lint, warm + one migration", addOne));
    if (theirs !== undefined)
      console.log(`  ${"squawk --reporter json".padEnd(30)} ${theirs.toFixed(2)} s CPU, ${peak(squawk).toFixed(0).padStart(4)} MB peak`);
    else console.log(`  (no squawk at ${SQUAWK}: run npm run bench:lint once, or set SQUAWK)`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: ROOT });

// The generated corpus of bench:lint: 250 ups of 100 statements and their downs.
const generated = join(ROOT, "bench/.out/cache-corpus/db/migrations");
const statements = writeLintCorpus(generated, Number(process.env.FILES ?? 250), Number(process.env.STATEMENTS ?? 100));
const sqlIn = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".sql"))
    .map((name) => join(dir, name))
    .sort();
report({
  name: `generated corpus (${statements.toLocaleString("en-US")} statements)`,
  lintPaths: [generated],
  sqlFiles: () => sqlIn(generated),
  addOne: (run) => {
    const up = join(generated, `999999_added_${run}.up.sql`);
    const down = join(generated, `999999_added_${run}.down.sql`);
    writeFileSync(up, `CREATE INDEX added_${run} ON orders (status);\n`);
    writeFileSync(down, `DROP INDEX added_${run};\n`);
    return () => {
      rmSync(up);
      rmSync(down);
    };
  },
});

const lemmyGit = join(MIRRORS, LEMMY.repo, "repo");
if (existsSync(lemmyGit)) {
  const checkout = mkdtempSync(join(tmpdir(), "de-bench-lemmy-"));
  try {
    execFileSync("sh", ["-c", `git --git-dir="${lemmyGit}" archive ${LEMMY.commit} migrations | tar -x -C "${checkout}"`]);
    const migrations = join(checkout, "migrations");
    report({
      name: `LemmyNet/lemmy @ ${LEMMY.commit.slice(0, 12)} (Diesel, ${readdirSync(migrations).length} entries in migrations/)`,
      lintPaths: [migrations],
      sqlFiles: () => sqlIn(migrations),
      addOne: (run) => {
        const folder = join(migrations, `2099-01-01-00000${run % 10}_bench_added_${run}`);
        mkdirSync(folder);
        writeFileSync(join(folder, "up.sql"), `CREATE INDEX bench_added_${run} ON person (name);\n`);
        writeFileSync(join(folder, "down.sql"), `DROP INDEX bench_added_${run};\n`);
        return () => rmSync(folder, { recursive: true, force: true });
      },
    });
  } finally {
    rmSync(checkout, { recursive: true, force: true });
  }
} else console.log(`(no mirror of LemmyNet/lemmy under ${MIRRORS}: skipped)`);
