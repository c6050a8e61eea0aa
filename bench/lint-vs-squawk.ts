import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./stats.js";

/**
 * data-engineer lint against squawk on the same generated corpus, whole processes, alternating.
 * Prints medians of wall time and peak RSS and their ratios. Run: npm run bench:lint (installs squawk
 * into bench/.out on first use)
 * (RUNS=n, FILES=n, STATEMENTS=n to change the size).
 */

// Compiled to bench/.out/bench/: the project root is three folders up.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const RUNS = Number(process.env.RUNS ?? 5);
const FILES = Number(process.env.FILES ?? 250);
const PER_FILE = Number(process.env.STATEMENTS ?? 100);
const CORPUS = join(ROOT, "bench/.out/corpus/db/migrations");

/** Realistic migration statements: DDL of every kind the rules look at, and some DML. */
function statement(file: number, i: number): string {
  const t = `t_${file}_${i % 7}`;
  switch (i % 12) {
    case 0:
      return `CREATE TABLE IF NOT EXISTS ${t}_${i} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  account_id bigint NOT NULL,\n  note text,\n  created_at timestamptz NOT NULL DEFAULT now()\n);`;
    case 1:
      return `ALTER TABLE orders ADD COLUMN c_${file}_${i} text DEFAULT 'x';`;
    case 2:
      return `CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_${file}_${i} ON orders (customer_id, created_at);`;
    case 3:
      return `ALTER TABLE orders ADD CONSTRAINT fk_${file}_${i} FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;`;
    case 4:
      return `ALTER TABLE orders VALIDATE CONSTRAINT fk_${file}_${i};`;
    case 5:
      return `SET lock_timeout = '2s';`;
    case 6:
      return `UPDATE orders SET status = 'new' WHERE id BETWEEN ${i * 1000} AND ${i * 1000 + 999};`;
    case 7:
      return `CREATE INDEX idx_plain_${file}_${i} ON orders (status);`;
    case 8:
      return `ALTER TABLE orders ALTER COLUMN c_${file}_${i - 7} SET NOT NULL;`;
    case 9:
      return `COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';`;
    case 10:
      return `ALTER TABLE orders ADD COLUMN token_${file}_${i} uuid DEFAULT gen_random_uuid();`;
    default:
      return `INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": ${file}, "step": ${i}}');`;
  }
}

function writeCorpus(): number {
  rmSync(join(ROOT, "bench/.out/corpus"), { recursive: true, force: true });
  mkdirSync(CORPUS, { recursive: true });
  let count = 0;
  for (let f = 0; f < FILES; f++) {
    const version = String(f + 1).padStart(6, "0");
    const body = Array.from({ length: PER_FILE }, (_, i) => statement(f, i)).join("\n\n");
    writeFileSync(join(CORPUS, `${version}_step_${f}.up.sql`), `${body}\n`);
    writeFileSync(join(CORPUS, `${version}_step_${f}.down.sql`), `DROP TABLE IF EXISTS t_${f}_0_0;\n`);
    count += PER_FILE + 1;
  }
  return count;
}

interface Run {
  seconds: number;
  peakKb: number;
  findings: number;
}

const hasGnuTime = existsSync("/usr/bin/time");

function measure(command: string, args: string[], countFindings: (stdout: string) => number): Run {
  const argv = hasGnuTime ? ["-f", "__TIME__ %e %M", command, ...args] : args;
  const start = performance.now();
  const result = spawnSync(hasGnuTime ? "/usr/bin/time" : command, argv, { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 30 });
  const wall = (performance.now() - start) / 1000;
  const match = /__TIME__ ([\d.]+) (\d+)/.exec(result.stderr);
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} failed (${result.status}): ${result.stderr.slice(0, 500)}`);
  return { seconds: wall, peakKb: match ? Number(match[2]) : Number.NaN, findings: countFindings(result.stdout) };
}

const statements = writeCorpus();
execFileSync(process.execPath, [createRequire(import.meta.url).resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: ROOT });
// squawk is installed here on first use rather than as a devDependency: the registry this project
// installs from serves squawk-cli's Linux x64 binary package only, and an npm lockfile that names
// the other platforms' packages then fails `npm ci` ("Missing: @squawk-cli/darwin-arm64").
const SQUAWK_VERSION = "2.66.0";
const squawkPrefix = join(ROOT, `bench/.out/squawk-${SQUAWK_VERSION}`);
const squawkBin = join(squawkPrefix, "node_modules/.bin/squawk");
if (!existsSync(squawkBin)) {
  execFileSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--prefix", squawkPrefix, `squawk-cli@${SQUAWK_VERSION}`], { stdio: "inherit" });
}
const squawkVersion = execFileSync(squawkBin, ["--version"], { encoding: "utf8" }).trim();
const files = Array.from({ length: FILES }, (_, f) => `bench/.out/corpus/db/migrations/${String(f + 1).padStart(6, "0")}_step_${f}.up.sql`);

const ours: Run[] = [];
const theirs: Run[] = [];
for (let i = 0; i < RUNS; i++) {
  ours.push(
    measure(
      process.execPath,
      ["dist/cli/main.js", "lint", "--format", "json", "bench/.out/corpus"],
      (out) => (JSON.parse(out) as { findings: unknown[] }).findings.length,
    ),
  );
  theirs.push(
    measure(
      squawkBin,
      ["--reporter", "json", ...files, ...files.map((f) => f.replace(".up.sql", ".down.sql"))],
      (out) => (JSON.parse(out) as unknown[]).length,
    ),
  );
}

const t = (runs: Run[]) => median(runs.map((r) => r.seconds));
const m = (runs: Run[]) => median(runs.map((r) => r.peakKb)) / 1024;
console.log(
  `corpus: ${FILES * 2} files (${FILES} up, ${FILES} down), ${statements.toLocaleString("en-US")} statements; ${RUNS} runs each, alternating, whole processes`,
);
console.log(`  data-engineer lint --format json: median ${t(ours).toFixed(2)} s, peak RSS ${m(ours).toFixed(0)} MB, ${ours[0]?.findings ?? 0} findings`);
console.log(
  `  ${squawkVersion} --reporter json:   median ${t(theirs).toFixed(2)} s, peak RSS ${m(theirs).toFixed(0)} MB, ${theirs[0]?.findings ?? 0} findings`,
);
console.log(`  ratio (data-engineer / squawk): time ${(t(ours) / t(theirs)).toFixed(2)}x, memory ${(m(ours) / m(theirs)).toFixed(2)}x`);
if (!hasGnuTime) console.log("  (peak RSS needs /usr/bin/time: apt-get install time)");
