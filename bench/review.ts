import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { median } from "./stats.js";

/**
 * `data-engineer review` of a local branch that adds one migration to a folder of FOLDER (300 by
 * default) golang-migrate migrations, as a pull request would: whole processes of the bundled
 * binary (dist/bundle/data-engineer.js, run as npm links it), each measured by GNU time (user +
 * system CPU of the process and its children, git included: stable on a loaded machine, unlike
 * wall time) and its peak RSS. Two kinds of run, alternating, medians of RUNS:
 *   cold   an empty result cache folder: the migration is parsed and analysed, the entry written
 *   warm   the same review again (the same commits): the run cache prints the stored review
 *   new head, same migrations   an empty commit on the branch first (a push that changes no
 *          migration): the review runs, its analysis comes from the result cache (no parser)
 * The output of every warm run must be the cold run's. GitHub API calls per review: a local
 * review reads the repository with git and makes none (the binary runs with no token and no
 * network settings); `review --github` is measured against the fake GitHub by the fault suite.
 *
 *   npm run bench:review [-- --runs 5] [--folder 300]
 * Acceptance (issue 20): warm under 0.3 s CPU.
 */

const ROOT = resolve(import.meta.dirname, "../../..");
const { values: flags } = parseArgs({
  options: { runs: { type: "string", default: process.env.RUNS ?? "5" }, folder: { type: "string", default: "300" } },
});
const RUNS = Number(flags.runs);
const FOLDER = Number(flags.folder);
const BIN = join(ROOT, "dist/bundle/data-engineer.js");
if (!existsSync("/usr/bin/time")) throw new Error("CPU time and peak RSS need GNU time at /usr/bin/time (apt-get install time)");
if (!existsSync(BIN)) throw new Error(`${BIN} is missing: npm run bundle`);

const scratch = mkdtempSync(join(tmpdir(), "de-bench-review-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));

const git = (repo: string, ...args: string[]) =>
  execFileSync("git", ["-C", repo, "-c", "user.email=bench@example.com", "-c", "user.name=bench", ...args], { encoding: "utf8" });

/** A repository whose main branch holds `count` migrations, and a branch `feature` adding one more. */
function writeRepository(count: number): string {
  const repo = join(scratch, "repo");
  const folder = join(repo, "db/migrations");
  mkdirSync(folder, { recursive: true });
  git(repo, "init", "-q", "-b", "main");
  const name = (n: number) => `${String(n).padStart(6, "0")}_step_${n}`;
  for (let n = 1; n <= count; n++) {
    writeFileSync(
      join(folder, `${name(n)}.up.sql`),
      `CREATE TABLE t_${n} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  note text\n);\nCREATE INDEX CONCURRENTLY idx_t_${n}_note ON t_${n} (note);\n`,
    );
    writeFileSync(join(folder, `${name(n)}.down.sql`), `DROP TABLE t_${n};\n`);
  }
  git(repo, "add", "-A");
  git(repo, "commit", "-qm", `${count} migrations`);
  git(repo, "checkout", "-qb", "feature");
  const added = name(count + 1);
  writeFileSync(
    join(folder, `${added}.up.sql`),
    "SET lock_timeout = '2s';\nALTER TABLE t_1 ADD COLUMN archived_at timestamptz;\nCREATE INDEX idx_t_1_archived ON t_1 (archived_at);\nUPDATE t_1 SET note = 'x' WHERE note IS NULL;\n",
  );
  writeFileSync(join(folder, `${added}.down.sql`), "ALTER TABLE t_1 DROP COLUMN archived_at;\n");
  git(repo, "add", "-A");
  git(repo, "commit", "-qm", "one migration more");
  return repo;
}

interface Run {
  cpu: number;
  peakMb: number;
  stdout: string;
}

function review(repo: string, cacheDir: string): Run {
  const result = spawnSync("/usr/bin/time", ["-f", "__TIME__ %U %S %M", BIN, "review", "--base", "main", "--format", "json"], {
    cwd: repo,
    // No token, no model key, no GitHub settings: nothing this process could call.
    env: { PATH: process.env.PATH, HOME: scratch, DATA_ENGINEER_CACHE_DIR: cacheDir },
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  const match = /__TIME__ ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(result.stderr);
  if (!match || (result.status !== 0 && result.status !== 1)) throw new Error(`review failed (${result.status}): ${result.stderr.slice(0, 800)}`);
  return { cpu: Number(match[1]) + Number(match[2]), peakMb: Number(match[3]) / 1024, stdout: result.stdout };
}

const repo = writeRepository(FOLDER);
const warmCache = join(scratch, "warm-cache");
review(repo, warmCache);
const cold: Run[] = [];
const warm: Run[] = [];
const newHead: Run[] = [];
for (let i = 0; i < RUNS; i++) {
  cold.push(review(repo, join(scratch, `cold-cache-${i}`)));
  warm.push(review(repo, warmCache));
  git(repo, "commit", "-q", "--allow-empty", "-m", `push ${i}`);
  newHead.push(review(repo, warmCache));
}
const expected = cold[0]?.stdout ?? "";
if (warm.some((run, i) => run.stdout !== cold[i]?.stdout)) throw new Error("a warm review printed other output than the cold one of the same commits");
// A new head commit is named in the review (its id): the findings must be the same.
const findingsOf = (run: Run) => JSON.stringify((JSON.parse(run.stdout) as { findings: unknown[] }).findings);
if (newHead.some((run) => findingsOf(run) !== findingsOf(cold[0]!))) throw new Error("a review of a new head found other findings");
const findings = (JSON.parse(expected) as { findings: unknown[] }).findings.length;

const cpu = (runs: Run[]) => median(runs.map((r) => r.cpu));
const mb = (runs: Run[]) => median(runs.map((r) => r.peakMb));
console.log(`data-engineer review of a branch adding 1 migration to a folder of ${FOLDER} (${findings} findings); ${RUNS} runs each, alternating, medians`);
console.log(`  node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
for (const [name, runs] of [
  ["cold", cold],
  ["warm", warm],
  ["new head, same migrations", newHead],
] as const) {
  console.log(
    `  ${name.padEnd(26)} CPU ${cpu(runs).toFixed(3)} s  peak RSS ${mb(runs).toFixed(0).padStart(4)} MB  GitHub API calls 0 (a local review reads git)`,
  );
}
console.log(`  warm under 0.3 s CPU: ${cpu(warm) < 0.3 ? "yes" : "no"}`);
