import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { reviewThroughRunCache } from "../../src/cli/review-run-cache.js";
import { decodeEntry, encodeEntry } from "../../src/rules/result-store.js";

/**
 * A local review reads its base's .github/data-engineer.yml through the configuration cache
 * (src/cli/repo-config-cache.ts): a new head commit (the run cache misses) reviews with the
 * configuration read back from its entry, and gives what a review without any cache gives.
 */
const GIT_ENV = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
const scratch = mkdtempSync(join(tmpdir(), "de-review-config-cache-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const repo = join(scratch, "repo");
const git = (...args: string[]) => execFileSync("git", ["-C", repo, ...args], { env: { ...process.env, ...GIT_ENV }, stdio: "pipe" });
mkdirSync(join(repo, "db/migrations"), { recursive: true });
mkdirSync(join(repo, ".github"), { recursive: true });
git("init", "-q", "-b", "main");
writeFileSync(join(repo, ".github/data-engineer.yml"), "failOn: never\nmaxInlineComments: 1\n");
writeFileSync(join(repo, "db/migrations/000001_init.up.sql"), "CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz);\n");
writeFileSync(join(repo, "db/migrations/000001_init.down.sql"), "DROP TABLE orders;\n");
git("add", "-A");
git("commit", "-q", "-m", "base");
git("checkout", "-q", "-b", "feature");
writeFileSync(join(repo, "db/migrations/000002_index.up.sql"), "CREATE INDEX orders_created_idx ON orders (created_at);\n");
git("add", "-A");
git("commit", "-q", "-m", "index");

async function run(cacheDir: string | undefined): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIo = {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    cwd: repo,
    env: cacheDir ? { DATA_ENGINEER_CACHE_DIR: cacheDir } : {},
  };
  const code = await reviewThroughRunCache(["--base", "main", "--format", "json"], io);
  return { code, out, err };
}

const configEntries = (dir: string): string[] =>
  readdirSync(dir).filter((name) => /^[0-9a-f]{64}$/.test(name) && decodeEntry(name, readFileSync(join(dir, name)))?.part("config") !== undefined);

describe("a local review's configuration cache", () => {
  it("reviews a new head with the base's configuration read back from its entry, as without a cache", async () => {
    const cache = join(scratch, "cache");
    const uncached = await run(undefined);
    // failOn: never (the findings do not fail the check), maxInlineComments: 1.
    expect(uncached.code).toBe(0);
    expect(uncached.err).toBe("");
    expect((JSON.parse(uncached.out) as { review: { comments: unknown[] } }).review.comments).toHaveLength(1);
    expect(await run(cache)).toEqual(uncached);
    expect(configEntries(cache)).toHaveLength(1);

    git("commit", "-q", "--allow-empty", "-m", "another push");
    const again = await run(undefined);
    expect(await run(cache)).toEqual(again);

    // The entry answers: a configuration rewritten under its key shows through on the next head.
    const [key] = configEntries(cache);
    const stored = JSON.parse(decodeEntry(key ?? "", readFileSync(join(cache, key ?? "")))?.part("config") ?? "{}") as Record<string, unknown>;
    writeFileSync(join(cache, key ?? ""), encodeEntry(key ?? "", { config: JSON.stringify({ ...stored, failOn: "warning" }) }));
    git("commit", "-q", "--allow-empty", "-m", "a third push");
    expect((await run(cache)).code).toBe(1);
  }, 120_000);
});
