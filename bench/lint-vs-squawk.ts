import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { writeLintCorpus } from "./lint-corpus.js";
import { median } from "./stats.js";

/**
 * data-engineer lint against squawk, whole processes, alternating, each a new process (V8's
 * compile cache on disk is warm after the first run, as it is for a user's second command); ours
 * twice per round: cold (an empty result cache folder) and warm (the case's cache, filled by an
 * unmeasured first run; the output must be the cold run's). Prints, per case, the medians of CPU
 * time (user + system of the child, from /usr/bin/time: stable on a loaded machine, where wall
 * time is not), peak RSS and wall time, and the ratios of CPU and peak RSS to squawk's, cold and warm.
 *
 *   npm run bench:lint [-- --runs 5] [--entry dist/bundle/data-engineer.js] [--node-flags "--liftoff-only"]
 *                      [--mirrors /work/.mirror [--only lemmy]]
 *
 * Cases: `--help`, `lint` of one statement, the generated corpus (FILES × STATEMENTS, 250 × 100 by
 * default) and, with --mirrors, each repository of bench/corpus.json at its pinned commit (squawk
 * reads the .sql files of its migration folders; data-engineer lints the folders). --entry names
 * another build of the binary, e.g. the tsc build of an earlier commit, to compare before and after.
 * squawk is installed into bench/.out on first use.
 */

// Compiled to bench/.out/bench/: the project root is three folders up.
const ROOT = fileURLToRoot();
const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: process.env.RUNS ?? "5" },
    entry: { type: "string", default: "dist/bundle/data-engineer.js" },
    "node-flags": { type: "string", default: "" },
    mirrors: { type: "string" },
    only: { type: "string" },
    cases: { type: "string", default: "help,one,corpus" },
  },
});
const RUNS = Number(flags.runs);
const FILES = Number(process.env.FILES ?? 250);
const PER_FILE = Number(process.env.STATEMENTS ?? 100);
const OUT = join(ROOT, "bench/.out");
const CORPUS = join(OUT, "corpus/db/migrations");
const ENTRY = resolve(ROOT, flags.entry);
const NODE_FLAGS = flags["node-flags"].split(" ").filter((f) => f !== "");

/** An executable entry (the bundle's binary) runs as npm links it, its #! line giving node its flags. */
function isProgram(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return readFileSync(path, "utf8").startsWith("#!") && NODE_FLAGS.length === 0;
  } catch {
    return false;
  }
}
const OURS: [string, string[]] = isProgram(ENTRY) ? [ENTRY, []] : [process.execPath, [...NODE_FLAGS, ENTRY]];

function fileURLToRoot(): string {
  return resolve(import.meta.dirname, "../../..");
}

/** The generated corpus (bench/lint-corpus.ts, shared with bench:lint-cache) and the paths squawk is given. */
function writeCorpus(): { statements: number; files: string[] } {
  rmSync(join(OUT, "corpus"), { recursive: true, force: true });
  const statements = writeLintCorpus(CORPUS, FILES, PER_FILE);
  const files: string[] = [];
  for (let f = 0; f < FILES; f++) {
    const version = String(f + 1).padStart(6, "0");
    files.push(`corpus/db/migrations/${version}_step_${f}.up.sql`, `corpus/db/migrations/${version}_step_${f}.down.sql`);
  }
  return { statements, files };
}

interface Run {
  cpu: number;
  peakMb: number;
  wall: number;
  stdout: string;
}

if (!existsSync("/usr/bin/time")) throw new Error("CPU time and peak RSS need GNU time at /usr/bin/time (apt-get install time)");

/** One process under GNU time: user + system CPU seconds, peak RSS, wall seconds. */
function measure(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Run {
  const start = performance.now();
  const result = spawnSync("/usr/bin/time", ["-f", "__TIME__ %U %S %M", command, ...args], { cwd, env, encoding: "utf8", maxBuffer: 1 << 30 });
  const wall = (performance.now() - start) / 1000;
  const match = /__TIME__ ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(result.stderr);
  if (!match || (result.status !== 0 && result.status !== 1))
    throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr.slice(0, 800)}`);
  return { cpu: Number(match[1]) + Number(match[2]), peakMb: Number(match[3]) / 1024, wall, stdout: result.stdout };
}

// squawk is installed here on first use rather than as a devDependency: the registry this project
// installs from serves squawk-cli's Linux x64 binary package only, and an npm lockfile that names
// the other platforms' packages then fails `npm ci` ("Missing: @squawk-cli/darwin-arm64").
const SQUAWK_VERSION = "2.66.0";
const squawkPrefix = join(OUT, `squawk-${SQUAWK_VERSION}`);
// The native binary itself, not npm's .bin/squawk: that is a Node script that starts it, whose own
// start (~40 ms CPU, ~45 MB) would be counted as squawk's.
const squawkBin = join(squawkPrefix, `node_modules/@squawk-cli/${process.platform}-${process.arch}/bin/squawk`);
if (!existsSync(squawkBin)) {
  execFileSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--prefix", squawkPrefix, `squawk-cli@${SQUAWK_VERSION}`], { stdio: "inherit" });
}
const squawkVersion = execFileSync(squawkBin, ["--version"], { encoding: "utf8" }).trim();

interface Case {
  name: string;
  cwd: string;
  ours: string[];
  theirs: string[];
  /** Checks the output, so that a run that did nothing is not measured as fast. */
  check?: (stdout: string) => string;
}

/** The result cache's folder for a run: a fresh one (cold) or the case's own, filled before (warm). */
const cacheEnv = (dir: string): NodeJS.ProcessEnv => ({ ...process.env, DATA_ENGINEER_CACHE_DIR: dir });
const CACHES = mkdtempSync(join(tmpdir(), "de-bench-lint-cache-"));
process.on("exit", () => rmSync(CACHES, { recursive: true, force: true }));
let caches = 0;

/**
 * Ours cold (an empty result cache folder: every migration analysed and its entries written, what a
 * first run costs), squawk, then ours warm (the same command again on the case's filled cache:
 * every input unchanged), alternating; each with its ratio to squawk's.
 */
function runCase(c: Case): void {
  const cold: Run[] = [];
  const warm: Run[] = [];
  const theirs: Run[] = [];
  const warmDir = join(CACHES, `case-${++caches}`);
  measure(OURS[0], [...OURS[1], ...c.ours], c.cwd, cacheEnv(warmDir));
  for (let i = 0; i < RUNS; i++) {
    cold.push(measure(OURS[0], [...OURS[1], ...c.ours], c.cwd, cacheEnv(join(CACHES, `cold-${++caches}`))));
    theirs.push(measure(squawkBin, c.theirs, c.cwd));
    warm.push(measure(OURS[0], [...OURS[1], ...c.ours], c.cwd, cacheEnv(warmDir)));
  }
  const cpu = (runs: Run[]) => median(runs.map((r) => r.cpu));
  const mb = (runs: Run[]) => median(runs.map((r) => r.peakMb));
  const wall = (runs: Run[]) => median(runs.map((r) => r.wall));
  const line = (who: string, runs: Run[]) =>
    `    ${who.padEnd(20)} CPU ${cpu(runs).toFixed(3)} s  peak RSS ${mb(runs).toFixed(0).padStart(4)} MB  wall ${wall(runs).toFixed(2)} s`;
  // GNU time counts CPU in hundredths of a second: below that, a ratio says nothing.
  const ratio = (who: string, runs: Run[]) =>
    `    ${`ratio ${who}`.padEnd(20)} CPU ${cpu(theirs) >= 0.01 ? `${(cpu(runs) / cpu(theirs)).toFixed(2)}x` : "n/a (squawk under 0.01 s)"}  peak RSS ${(mb(runs) / mb(theirs)).toFixed(2)}x`;
  const stdout = cold[0]?.stdout ?? "";
  if (c.check && warm.some((run) => run.stdout !== stdout)) throw new Error(`${c.name}: a warm run printed other output than the cold one`);
  console.log(`  ${c.name}${c.check ? ` (${c.check(stdout)})` : ""}`);
  console.log(line("data-engineer cold", cold));
  console.log(line("data-engineer warm", warm));
  console.log(line("squawk", theirs));
  console.log(ratio("cold", cold));
  console.log(ratio("warm", warm));
}

const findingsOf = (stdout: string) => `${(JSON.parse(stdout) as { findings: unknown[] }).findings.length} findings`;

const how = OURS[0] === ENTRY ? `run as a program: ${readFileSync(ENTRY, "utf8").split("\n")[0]}` : `node ${OURS[1].join(" ")}`;
console.log(`${relative(ROOT, ENTRY)} (${how}) against ${squawkVersion}; ${RUNS} runs each, alternating, medians`);
console.log(`  node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
const cases = new Set(flags.cases.split(","));
if (cases.has("help")) runCase({ name: "--help", cwd: OUT, ours: ["--help"], theirs: ["--help"] });
if (cases.has("one")) {
  const dir = join(OUT, "one-statement");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "0001_note.sql"), "ALTER TABLE orders ADD COLUMN note text;\n");
  runCase({
    name: "lint of one statement",
    cwd: dir,
    ours: ["lint", "--format", "json", "0001_note.sql"],
    theirs: ["--reporter", "json", "0001_note.sql"],
    check: findingsOf,
  });
}
if (cases.has("corpus")) {
  const corpus = writeCorpus();
  runCase({
    name: `generated corpus: ${corpus.files.length} files, ${corpus.statements.toLocaleString("en-US")} statements`,
    cwd: OUT,
    ours: ["lint", "--format", "json", "corpus"],
    theirs: ["--reporter", "json", ...corpus.files],
    check: findingsOf,
  });
}

if (flags.mirrors) {
  const entries = (
    JSON.parse(readFileSync(join(ROOT, "bench/corpus.json"), "utf8")) as { repositories: Array<{ repo: string; commit: string; paths: string[] }> }
  ).repositories;
  for (const entry of entries.filter((e) => flags.only === undefined || e.repo.includes(flags.only))) {
    const gitDir = join(flags.mirrors, entry.repo.replace("/", "+"), "repo");
    if (!existsSync(gitDir)) {
      console.log(`  ${entry.repo}: no mirror at ${gitDir}, skipped`);
      continue;
    }
    const dir = mkdtempSync(join(tmpdir(), "de-bench-lint-"));
    try {
      const archive = spawnSync("git", ["--git-dir", gitDir, "archive", "--format=tar", entry.commit, "--", ...entry.paths], { maxBuffer: 1 << 30 });
      if (archive.status !== 0) throw new Error(`git archive ${entry.repo}: ${archive.stderr.toString()}`);
      spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
      const sql = entry.paths.flatMap((path) => sqlFilesUnder(dir, path));
      if (sql.length === 0) {
        console.log(`  ${entry.repo}: no .sql file for squawk to read, skipped`);
        continue;
      }
      runCase({
        name: `${entry.repo}: ${sql.length} .sql files`,
        cwd: dir,
        ours: ["lint", "--format", "json", ...entry.paths],
        theirs: ["--reporter", "json", ...sql],
        check: findingsOf,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

function sqlFilesUnder(dir: string, path: string): string[] {
  if (!existsSync(join(dir, path))) return [];
  return readdirSync(join(dir, path), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".sql"))
    .map((f) => join(path, f));
}
