import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoConfigOf, type RepoConfigCache } from "../../src/cli/repo-config-cache.js";
import { ConfigError } from "../../src/errors.js";
import { DEFAULT_REPO_CONFIG, parseRepoConfigText } from "../../src/config/repo-config.js";
import { FileResultStore } from "../../src/rules/result-store.js";

/**
 * A local review's configuration, validated once per text and build: what a hit returns is what
 * the validation returns (the defaults, and a file that sets every kind of key); an invalid file is
 * refused every time and never stored; another build or another text misses; a damaged entry is
 * validated again.
 */
const scratch = mkdtempSync(join(tmpdir(), "de-repo-config-cache-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;
const fresh = (toolVersion = "1.0.0+test"): RepoConfigCache => ({ store: new FileResultStore(join(scratch, `cache-${++dirs}`)), toolVersion });
/** The store's entries: files named by their key. */
const keys = (cache: RepoConfigCache) => (existsSync(cache.store.dir) ? readdirSync(cache.store.dir).filter((name) => /^[0-9a-f]{64}$/.test(name)) : []);
const entries = (cache: RepoConfigCache) => keys(cache).length;

const RICH =
  "failOn: warning\nreviewEvent: REQUEST_CHANGES\nmaxInlineComments: 7\npostgresVersion: 15\nframework: dbmate\npreset: strict\n" +
  "tables:\n  orders: { rows: 50000000 }\nrules:\n  ban-drop-column: error\n  prefer-text-field: policy\npaths:\n  include: ['db/**']\n" +
  "docsUrl: https://example.com/rules/\n" +
  "autoReview:\n  drafts: true\n  ignoreAuthors: ['renovate[bot]']\n  baseBranches: [main]\nagent:\n  enabled: false\n  maxTurns: 5\nreplay:\n  enabled: true\n";

describe("repoConfigOf", () => {
  it("gives the defaults without a file, validated then read back", async () => {
    const cache = fresh();
    expect(await repoConfigOf(undefined, "main:.github/data-engineer.yml", cache)).toStrictEqual(DEFAULT_REPO_CONFIG);
    expect(entries(cache)).toBe(1);
    expect(await repoConfigOf(undefined, "main:.github/data-engineer.yml", cache)).toStrictEqual(DEFAULT_REPO_CONFIG);
  });

  it("reads back exactly what the validation of a file gives", async () => {
    const cache = fresh();
    const validated = parseRepoConfigText(RICH);
    expect(await repoConfigOf(RICH, "f", cache)).toStrictEqual(validated);
    expect(await repoConfigOf(RICH, "f", cache)).toStrictEqual(validated);
    expect(entries(cache)).toBe(1);
  });

  it("is answered by the entry (a configuration rewritten under its key shows through)", async () => {
    const cache = fresh();
    await repoConfigOf("failOn: never\n", "f", cache);
    const [key] = keys(cache);
    expect(key).toBeDefined();
    cache.store.put(key ?? "", { config: JSON.stringify({ ...DEFAULT_REPO_CONFIG, maxInlineComments: 3 }) });
    expect((await repoConfigOf("failOn: never\n", "f", cache)).maxInlineComments).toBe(3);
  });

  it("misses on another text or another build", async () => {
    const cache = fresh();
    expect((await repoConfigOf("failOn: never\n", "f", cache)).failOn).toBe("never");
    expect((await repoConfigOf("failOn: warning\n", "f", cache)).failOn).toBe("warning");
    expect((await repoConfigOf("failOn: never\n", "f", { ...cache, toolVersion: "1.0.1+other" })).failOn).toBe("never");
    expect(entries(cache)).toBe(3);
  });

  it("refuses an invalid file every time and stores nothing", async () => {
    const cache = fresh();
    for (let i = 0; i < 2; i++) await expect(repoConfigOf("failOn: sometimes\n", "main:.github/data-engineer.yml", cache)).rejects.toThrow(ConfigError);
    await expect(repoConfigOf("failOn: sometimes\n", "main:.github/data-engineer.yml", cache)).rejects.toThrow(
      /main:\.github\/data-engineer\.yml: key "failOn"/,
    );
    expect(entries(cache)).toBe(0);
  });

  it("validates again from a damaged entry", async () => {
    const cache = fresh();
    await repoConfigOf("maxInlineComments: 4\n", "f", cache);
    const [key] = keys(cache);
    expect(key).toBeDefined();
    writeFileSync(join(cache.store.dir, key ?? ""), "damaged");
    expect((await repoConfigOf("maxInlineComments: 4\n", "f", cache)).maxInlineComments).toBe(4);
  });

  it("validates every time without a cache", async () => {
    expect(await repoConfigOf(RICH, "f", undefined)).toStrictEqual(parseRepoConfigText(RICH));
  });
});
