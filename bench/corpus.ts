import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { median } from "./stats.js";

/**
 * `data-engineer lint` on real repositories, each at a pinned commit: findings per migration,
 * syntax errors, findings on files of other SQL dialects and on templated SQL, the share of
 * migrations a required check would fail on, CPU and peak memory. The repositories and commits are
 * in bench/corpus.json; their mirrors (bare git repositories, `owner+name/repo`) are in a folder
 * given with --mirrors and are never committed.
 *
 *   npm run bench:corpus -- --mirrors /work/.mirror [--only kratos] [--sample 10] [--failing 10] [--seed 1] [--json out.json]
 */

interface CorpusEntry {
  repo: string;
  framework: string;
  commit: string;
  paths: string[];
}

interface LintFinding {
  rule: string;
  severity: "error" | "warning" | "note";
  category?: string;
  path: string;
  line: number;
  message: string;
}

interface LintOutput {
  files: Array<{ path: string; framework: string; migrations: Array<{ version: string; name: string; direction: string; statements: unknown[] }> }>;
  findings: LintFinding[];
  skipped: Array<{ path: string; reason: string }>;
}

export interface CorpusFigures {
  repo: string;
  commit: string;
  files: number;
  migrations: number;
  statements: number;
  findings: number;
  perMigration: { mean: number; median: number; p90: number };
  syntaxErrors: number;
  /** Findings on files whose name or folder says MySQL, SQLite, CockroachDB, SQL Server or Oracle. */
  otherDialectFindings: number;
  /** Syntax errors in files that hold template expressions ({{ }}, ${ }, :var at a line start…). */
  templateSyntaxErrors: number;
  /** Locking findings on migration code (ORM calls, Liquibase changes): each at the call's line. */
  codeLockFindings: number;
  /** Migrations with an error-severity finding: a required check fails on a pull request that adds one. */
  failingShare: number;
  /**
   * Inline comments a pull request adding the migration would get under the default preset: one per
   * statement with an error or warning (policy findings go to the review body), at most
   * INLINE_CAP; and, for comparison, one per finding of any severity (how reviews were posted before).
   */
  inlinePerMigration: { median: number; p90: number; max: number };
  perFindingCommentsPerMigration: { median: number; p90: number };
  /** The failing migrations with their error findings, for reading them. */
  failing: Array<{ migration: string; errors: Array<{ rule: string; path: string; line: number; message: string }> }>;
  byRule: Array<[string, number]>;
  skipped: number;
  /** Of those, files left out as another SQL dialect (their reason says "… migration (…): not reviewed"). */
  otherDialectSkipped: number;
  /** templated-sql notes: files with a template statement that does not parse even masked. */
  templatedNotes: number;
  cpuSeconds: number;
  peakMb: number;
  wallSeconds: number;
}

/** The project root (this file runs as bench/.out/bench/corpus.js). */
const ROOT = resolve(import.meta.dirname, "../../..");
const OTHER_DIALECT = /(^|[/._-])(mysql|mariadb|sqlite3?|cockroach(db)?|crdb|mssql|sqlserver|oracle)([/._-]|$)/i;
const TEMPLATE = /\{\{|\$\{|\{%/;
const OTHER_DIALECT_REASON = / migration \([^)]*\): not reviewed/;
/** The review's default cap on inline comments (repo-config maxInlineComments). */
const INLINE_CAP = 10;

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** A deterministic shuffle (mulberry32), so "ten random findings" can be read again. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function checkout(mirrors: string, entry: CorpusEntry): string {
  const gitDir = join(mirrors, entry.repo.replace("/", "+"), "repo");
  if (!existsSync(gitDir)) throw new Error(`no mirror of ${entry.repo} at ${gitDir}: fetch github:${entry.repo} first`);
  const dir = mkdtempSync(join(tmpdir(), "de-corpus-"));
  const archive = spawnSync("git", ["--git-dir", gitDir, "archive", "--format=tar", entry.commit, "--", ...entry.paths], { maxBuffer: 1 << 30 });
  if (archive.status !== 0) throw new Error(`git archive ${entry.repo}@${entry.commit}: ${archive.stderr.toString()}`);
  const untar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
  if (untar.status !== 0) throw new Error(`tar: ${untar.stderr.toString()}`);
  return dir;
}

function lintIn(dir: string, paths: readonly string[]): { output: LintOutput; cpuSeconds: number; peakMb: number; wallSeconds: number } {
  const cli = join(ROOT, "dist/cli/main.js");
  const started = performance.now();
  const run = spawnSync("/usr/bin/time", ["-f", "%U %S %M", process.execPath, cli, "lint", "--format", "json", "--details", ...paths], {
    cwd: dir,
    maxBuffer: 1 << 30,
    encoding: "utf8",
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const timeLine = run.stderr.trim().split("\n").at(-1) ?? "";
  const [user, system, kb] = timeLine.split(" ").map(Number);
  if (run.status !== 0 && run.status !== 1) throw new Error(`lint exited ${run.status}: ${run.stderr.slice(0, 2000)}`);
  return {
    output: JSON.parse(run.stdout) as LintOutput,
    cpuSeconds: (user ?? 0) + (system ?? 0),
    peakMb: (kb ?? 0) / 1024,
    wallSeconds,
  };
}

export function figuresOf(entry: CorpusEntry, output: LintOutput, dir: string): Omit<CorpusFigures, "cpuSeconds" | "peakMb" | "wallSeconds"> {
  // A migration is one version of one framework (its up and down files together).
  const migrationOf = new Map<string, string>();
  const counts = new Map<string, number>();
  let statements = 0;
  for (const file of output.files) {
    for (const m of file.migrations) {
      const key = `${file.framework}:${m.version}:${m.name}`;
      if (!migrationOf.has(file.path)) migrationOf.set(file.path, key);
      counts.set(key, counts.get(key) ?? 0);
      statements += m.statements.length;
    }
  }
  const failing = new Set<string>();
  // Statement line ranges per file: findings on one statement share one inline comment.
  const statementsOf = new Map<string, Array<{ line: number; endLine: number }>>();
  for (const file of output.files) {
    statementsOf.set(
      file.path,
      file.migrations.flatMap((m) => m.statements as Array<{ line: number; endLine: number }>),
    );
  }
  const commentKeys = new Map<string, Set<string>>();
  const perFinding = new Map<string, number>();
  const errorsOf = new Map<string, CorpusFigures["failing"][number]["errors"]>();
  const byRule = new Map<string, number>();
  let syntaxErrors = 0;
  let otherDialectFindings = 0;
  let templateSyntaxErrors = 0;
  let codeLockFindings = 0;
  const templated = new Map<string, boolean>();
  const isTemplated = (path: string): boolean => {
    let known = templated.get(path);
    if (known === undefined) {
      try {
        known = TEMPLATE.test(readFileSync(join(dir, path), "utf8"));
      } catch {
        known = false;
      }
      templated.set(path, known);
    }
    return known;
  };
  for (const f of output.findings) {
    const key = migrationOf.get(f.path) ?? `file:${f.path}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (f.severity === "error") {
      failing.add(key);
      const errors = errorsOf.get(key) ?? [];
      errors.push({ rule: f.rule, path: f.path, line: f.line, message: f.message });
      errorsOf.set(key, errors);
    }
    perFinding.set(key, (perFinding.get(key) ?? 0) + 1);
    if (f.severity !== "note") {
      const statement = statementsOf.get(f.path)?.find((s) => s.line <= f.line && f.line <= s.endLine);
      const keys = commentKeys.get(key) ?? new Set<string>();
      keys.add(`${f.path}:${statement ? statement.line : f.line}`);
      commentKeys.set(key, keys);
    }
    byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
    if (f.rule === "syntax-error") {
      syntaxErrors++;
      if (isTemplated(f.path)) templateSyntaxErrors++;
    }
    if (OTHER_DIALECT.test(f.path)) otherDialectFindings++;
    if (f.category === "locking" && !f.path.endsWith(".sql")) codeLockFindings++;
  }
  const perMigration = [...counts.values()];
  const inline = [...counts.keys()].map((key) => Math.min(INLINE_CAP, commentKeys.get(key)?.size ?? 0));
  const perFindingComments = [...counts.keys()].map((key) => Math.min(INLINE_CAP, perFinding.get(key) ?? 0));
  const mean = perMigration.length === 0 ? 0 : perMigration.reduce((a, b) => a + b, 0) / perMigration.length;
  return {
    repo: entry.repo,
    commit: entry.commit,
    files: output.files.length,
    migrations: counts.size,
    statements,
    findings: output.findings.length,
    perMigration: { mean, median: median(perMigration), p90: percentile(perMigration, 90) },
    syntaxErrors,
    otherDialectFindings,
    templateSyntaxErrors,
    codeLockFindings,
    failingShare: counts.size === 0 ? 0 : failing.size / counts.size,
    inlinePerMigration: { median: median(inline), p90: percentile(inline, 90), max: Math.max(0, ...inline) },
    perFindingCommentsPerMigration: { median: median(perFindingComments), p90: percentile(perFindingComments, 90) },
    failing: [...failing].sort().map((migration) => ({ migration, errors: errorsOf.get(migration) ?? [] })),
    byRule: [...byRule.entries()].sort((a, b) => b[1] - a[1]),
    skipped: output.skipped.length,
    otherDialectSkipped: output.skipped.filter((s) => OTHER_DIALECT_REASON.test(s.reason)).length,
    templatedNotes: byRule.get("templated-sql") ?? 0,
  };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      mirrors: { type: "string", default: "/work/.mirror" },
      corpus: { type: "string", default: join(ROOT, "bench/corpus.json") },
      only: { type: "string" },
      sample: { type: "string", default: "0" },
      failing: { type: "string", default: "0" },
      seed: { type: "string", default: "1" },
      json: { type: "string" },
    },
  });
  const corpus = (JSON.parse(readFileSync(values.corpus, "utf8")) as { repositories: CorpusEntry[] }).repositories.filter(
    (e) => values.only === undefined || e.repo.includes(values.only),
  );
  const all: CorpusFigures[] = [];
  const sampled: Array<LintFinding & { repo: string }> = [];
  const failingSampled: Array<CorpusFigures["failing"][number] & { repo: string }> = [];
  for (const entry of corpus) {
    const dir = checkout(values.mirrors, entry);
    try {
      const run = lintIn(dir, entry.paths);
      const figures = { ...figuresOf(entry, run.output, dir), cpuSeconds: run.cpuSeconds, peakMb: run.peakMb, wallSeconds: run.wallSeconds };
      all.push(figures);
      sampled.push(...run.output.findings.map((f) => ({ ...f, repo: entry.repo })));
      failingSampled.push(...figures.failing.map((f) => ({ ...f, repo: entry.repo })));
      const p = figures.perMigration;
      console.log(
        `${entry.repo} @ ${entry.commit.slice(0, 12)} (${entry.framework}): ${figures.files} files, ${figures.migrations} migrations, ${figures.statements} statements, ${figures.skipped} skipped (${figures.otherDialectSkipped} of another SQL dialect)`,
      );
      console.log(
        `  findings ${figures.findings}; per migration mean ${p.mean.toFixed(2)}, median ${p.median}, p90 ${p.p90}; ` +
          `syntax errors ${figures.syntaxErrors} (templated files ${figures.templateSyntaxErrors}); on other-dialect files ${figures.otherDialectFindings}; templated-sql notes ${figures.templatedNotes}; ` +
          `locking findings on migration code (ORM calls, changelogs) ${figures.codeLockFindings}; ` +
          `check fails on ${(figures.failingShare * 100).toFixed(1)}% of migrations (${figures.failing.length} of ${figures.migrations})`,
      );
      const inline = figures.inlinePerMigration;
      console.log(
        `  inline comments per migration (one per statement, policy in the body): median ${inline.median}, p90 ${inline.p90}, max ${inline.max}; ` +
          `one per finding: median ${figures.perFindingCommentsPerMigration.median}, p90 ${figures.perFindingCommentsPerMigration.p90}`,
      );
      console.log(
        `  top rules: ${
          figures.byRule
            .slice(0, 8)
            .map(([r, n]) => `${r} ${n}`)
            .join(", ") || "none"
        }`,
      );
      console.log(`  lint: ${figures.cpuSeconds.toFixed(2)} s CPU, ${figures.wallSeconds.toFixed(2)} s wall, ${figures.peakMb.toFixed(0)} MB peak`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const sample = Number(values.sample);
  if (sample > 0 && sampled.length > 0) {
    const random = seeded(Number(values.seed));
    const picked = [...sampled]
      .map((f) => ({ f, k: random() }))
      .sort((a, b) => a.k - b.k)
      .slice(0, sample);
    console.log(`\n${sample} random findings (seed ${values.seed}):`);
    for (const { f } of picked) console.log(`- ${f.repo} ${f.path}:${f.line} [${f.severity} ${f.rule}] ${f.message.slice(0, 200)}`);
  }
  const failingCount = Number(values.failing);
  if (failingCount > 0 && failingSampled.length > 0) {
    const random = seeded(Number(values.seed));
    const picked = [...failingSampled]
      .map((f) => ({ f, k: random() }))
      .sort((a, b) => a.k - b.k)
      .slice(0, failingCount);
    console.log(`\n${failingCount} random failing migrations (seed ${values.seed}):`);
    for (const { f } of picked) {
      console.log(`- ${f.repo} ${f.migration}`);
      for (const e of f.errors) console.log(`    ${e.path}:${e.line} [${e.rule}] ${e.message.slice(0, 220)}`);
    }
  }
  if (values.json) writeFileSync(values.json, `${JSON.stringify(all, null, 2)}\n`);
}

main();
