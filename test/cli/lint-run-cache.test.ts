import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { lintThroughRunCache } from "../../src/cli/lint-run-cache.js";
import { decodeEntry, encodeEntry } from "../../src/rules/result-store.js";

/**
 * The whole-run cache in front of lint: a warm run prints byte for byte what a run without any
 * cache prints, in every format; a changed file, option or configuration is a miss; a damaged
 * entry gives the cold output; an entry rewritten under its key shows through (the hit is real).
 */
const ROOT = resolve(import.meta.dirname, "../..");
const scratch = mkdtempSync(join(tmpdir(), "de-lint-run-cache-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;
const fresh = (): string => join(scratch, `dir-${++dirs}`);

async function run(args: readonly string[], cwd: string, cacheDir: string | undefined, bytes = false): Promise<string> {
  let out = "";
  let err = "";
  const io: CliIo = {
    out: (text) => void (out += text),
    ...(bytes ? { outBytes: (chunk: Uint8Array) => void (out += Buffer.from(chunk).toString("utf8")) } : {}),
    err: (text) => void (err += text),
    cwd,
    env: cacheDir ? { DATA_ENGINEER_CACHE_DIR: cacheDir } : {},
  };
  const code = await lintThroughRunCache(cacheDir ? args : [...args, "--no-cache"], io);
  return `${code}\n${err}\n${out}`;
}

const entries = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []).filter((name) => /^[0-9a-f]{64}$/.test(name));
/** The run's entry: the one with a stdout part. */
const runEntry = (dir: string): string | undefined =>
  entries(dir).find((name) => decodeEntry(name, readFileSync(join(dir, name)))?.part("stdout") !== undefined);

describe("lint's run cache", () => {
  const FORMATS = [
    ["--format", "text"],
    ["--format", "json"],
    ["--format", "json", "--details"],
    ["--format", "sarif"],
    ["--pg-version", "12"],
  ];
  it("prints the same, cold and warm, in every format", async () => {
    const cache = fresh();
    for (const format of FORMATS) {
      const args = [...format, "test/fixtures/lint-demo"];
      const uncached = await run(args, ROOT, undefined);
      expect(await run(args, ROOT, cache), `cold ${format.join(" ")}`).toBe(uncached);
      expect(await run(args, ROOT, cache), `warm ${format.join(" ")}`).toBe(uncached);
      expect(await run(args, ROOT, cache, true), `warm as bytes ${format.join(" ")}`).toBe(uncached);
    }
  }, 120_000);

  it("stores what a cold run wrote as bytes: the warm run prints it whole", async () => {
    const cache = fresh();
    const args = ["--format", "json", "test/fixtures/lint-demo"];
    const uncached = await run(args, ROOT, undefined);
    expect(await run(args, ROOT, cache, true), "cold as bytes").toBe(uncached);
    expect(runEntry(cache)).toBeDefined();
    expect(await run(args, ROOT, cache), "warm").toBe(uncached);
  }, 120_000);

  it("answers from its entry when warm, and misses when a file, an option or the configuration changes", async () => {
    const work = fresh();
    cpSync(join(ROOT, "test/fixtures/lint-demo/golang-migrate"), join(work, "db"), { recursive: true });
    const config = join(work, "data-engineer.yml");
    writeFileSync(config, "postgresVersion: 16\n");
    const cache = fresh();
    const args = ["--format", "json", "--config", config, "db"];
    await run(args, work, cache);
    const name = runEntry(cache);
    expect(name).toBeDefined();
    const stored = decodeEntry(name!, readFileSync(join(cache, name!)));
    writeFileSync(join(cache, name!), encodeEntry(name!, { stdout: "from the run cache\n", exit: stored?.part("exit") ?? "" }));
    expect(await run(args, work, cache)).toContain("from the run cache");

    // Each change is a miss, answered as a run without the cache answers it.
    const changes: Array<[string, () => readonly string[]]> = [
      ["another option", () => ["--format", "text", "--config", config, "db"]],
      ["another configuration", () => (writeFileSync(config, "postgresVersion: 11\n"), args)],
      [
        "a changed file",
        () => {
          const file = readdirSync(join(work, "db")).find((f) => f.endsWith(".up.sql"))!;
          writeFileSync(join(work, "db", file), `${readFileSync(join(work, "db", file), "utf8")}\nDROP TABLE users;\n`);
          return args;
        },
      ],
    ];
    for (const [what, change] of changes) {
      const changed = change();
      const answer = await run(changed, work, cache);
      expect(answer, what).not.toContain("from the run cache");
      expect(answer, what).toBe(await run(changed, work, undefined));
    }
  }, 120_000);

  it("prints a cold run's output from a damaged entry: flipped byte, truncated, emptied", async () => {
    const args = ["--format", "json", "test/fixtures/lint-demo"];
    const uncached = await run(args, ROOT, undefined);
    const damages: Record<string, (file: Buffer) => Buffer> = {
      "a flipped byte": (file) => {
        const copy = Buffer.from(file);
        const at = Math.floor(copy.length * 0.7);
        copy[at] = copy[at]! ^ 0x20;
        return copy;
      },
      truncated: (file) => file.subarray(0, Math.floor(file.length / 2)),
      emptied: () => Buffer.alloc(0),
    };
    for (const [what, damage] of Object.entries(damages)) {
      const cache = fresh();
      await run(args, ROOT, cache);
      const name = runEntry(cache)!;
      writeFileSync(join(cache, name), damage(readFileSync(join(cache, name))));
      expect(await run(args, ROOT, cache), what).toBe(uncached);
      expect(await run(args, ROOT, cache), `${what}, then warm`).toBe(uncached);
    }
  }, 120_000);

  it("stores nothing for a run that fails", async () => {
    const cache = fresh();
    const answer = await run(["--format", "json", "no/such/folder"], ROOT, cache);
    expect(answer.startsWith("2\n")).toBe(true);
    expect(runEntry(cache) ?? "none").toBe("none");
  });
});
