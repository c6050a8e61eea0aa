import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { reviewThroughRunCache } from "../../src/cli/review-run-cache.js";
import { decodeEntry, encodeEntry } from "../../src/rules/result-store.js";

/**
 * A local review through the run cache: the same commits print the same review as without any
 * cache; a new head commit or another option is a miss; a damaged entry gives the cold output;
 * an entry rewritten under its key shows through (the hit is real); --no-cache stores nothing.
 */
const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
const scratch = mkdtempSync(join(tmpdir(), "de-review-run-cache-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const repo = join(scratch, "repo");
const git = (...args: string[]) => execFileSync("git", ["-C", repo, ...args], { env: { ...process.env, ...GIT_ENV }, stdio: "pipe" });
mkdirSync(join(repo, "db/migrations"), { recursive: true });
git("init", "-q", "-b", "main");
writeFileSync(join(repo, "db/migrations/000001_init.up.sql"), "CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz);\n");
writeFileSync(join(repo, "db/migrations/000001_init.down.sql"), "DROP TABLE orders;\n");
git("add", "-A");
git("commit", "-q", "-m", "base");
git("checkout", "-q", "-b", "feature");
writeFileSync(join(repo, "db/migrations/000002_index.up.sql"), "CREATE INDEX orders_created_idx ON orders (created_at);\n");
writeFileSync(join(repo, "db/migrations/000002_index.down.sql"), "DROP INDEX orders_created_idx;\n");
git("add", "-A");
git("commit", "-q", "-m", "index");

let dirs = 0;
const fresh = (): string => join(scratch, `cache-${++dirs}`);

async function run(args: readonly string[], cacheDir: string | undefined, env: NodeJS.ProcessEnv = {}): Promise<string> {
  let out = "";
  let err = "";
  const io: CliIo = {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    cwd: repo,
    env: { ...env, ...(cacheDir ? { DATA_ENGINEER_CACHE_DIR: cacheDir } : {}) },
  };
  const code = await reviewThroughRunCache(["--base", "main", ...args], io);
  return `${code}\n${err}\n${out}`;
}

const runEntry = (dir: string): string | undefined =>
  readdirSync(dir).find((name) => /^[0-9a-f]{64}$/.test(name) && decodeEntry(name, readFileSync(join(dir, name)))?.part("stdout") !== undefined);

describe("review's run cache", () => {
  it("prints the same, cold and warm, in every format, and answers from its entry", async () => {
    const cache = fresh();
    for (const format of ["markdown", "json", "sarif"]) {
      const uncached = await run(["--format", format], undefined);
      expect(await run(["--format", format], cache), `cold ${format}`).toBe(uncached);
      expect(await run(["--format", format], cache), `warm ${format}`).toBe(uncached);
    }
    const name = runEntry(cache)!;
    const exit = decodeEntry(name, readFileSync(join(cache, name)))?.part("exit") ?? "";
    writeFileSync(join(cache, name), encodeEntry(name, { stdout: "from the run cache\n", exit }));
    const answers = await Promise.all(["markdown", "json", "sarif"].map((format) => run(["--format", format], cache)));
    expect(answers.filter((answer) => answer.includes("from the run cache"))).toHaveLength(1);
  }, 120_000);

  it("misses on a new head commit, and stores nothing with --no-cache", async () => {
    const cache = fresh();
    const before = await run(["--format", "json"], cache);
    git("commit", "-q", "--allow-empty", "-m", "another push");
    const after = await run(["--format", "json"], cache);
    expect(after).toBe(await run(["--format", "json"], undefined));
    expect(after).not.toBe(before); // the review names its head commit
    const noCache = fresh();
    mkdirSync(noCache);
    await run(["--format", "json", "--no-cache"], noCache);
    expect(readdirSync(noCache)).toEqual([]);
  }, 120_000);

  it("prints a cold run's output from a damaged entry", async () => {
    const uncached = await run(["--format", "json"], undefined);
    const cache = fresh();
    await run(["--format", "json"], cache);
    const name = runEntry(cache)!;
    const file = readFileSync(join(cache, name));
    file[file.length - 5] = file[file.length - 5]! ^ 0x01;
    writeFileSync(join(cache, name), file);
    expect(await run(["--format", "json"], cache)).toBe(uncached);
    expect(await run(["--format", "json"], cache)).toBe(uncached);
  }, 120_000);
});
