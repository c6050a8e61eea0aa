import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { deserialize, serialize } from "node:v8";
import { afterAll, describe, expect, it } from "vitest";
import { lint } from "../../src/cli/commands/lint.js";
import type { CliIo } from "../../src/cli/io.js";
import { decodeEntry, encodeEntry } from "../../src/rules/result-store.js";

/**
 * lint through the result cache: a warm run prints byte for byte what a run without the cache
 * prints, in every format; damaged entries and concurrent writers change nothing; a warm run does
 * not load the parser.
 */
const ROOT = resolve(import.meta.dirname, "../..");
const scratch = mkdtempSync(join(tmpdir(), "de-lint-cache-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => join(scratch, `cache-${++dirs}`);

async function run(args: readonly string[], cacheDir: string | undefined): Promise<string> {
  let out = "";
  let err = "";
  const io: CliIo = {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    cwd: ROOT,
    env: cacheDir ? { DATA_ENGINEER_CACHE_DIR: cacheDir } : {},
  };
  const code = await lint(cacheDir ? args : [...args, "--no-cache"], io);
  return `${code}\n${err}\n${out}`;
}

const FORMATS = [
  ["--format", "text"],
  ["--format", "json"],
  ["--format", "json", "--details"],
  ["--format", "sarif"],
] as const;
const INPUTS = ["test/fixtures", "examples", "test/fixtures/lint-demo"];

const entries = (dir: string): string[] => readdirSync(dir).filter((name) => /^[0-9a-f]{64}$/.test(name));

describe("lint with the result cache", () => {
  for (const input of INPUTS) {
    it(`prints the same, cold and warm, in every format: ${input}`, async () => {
      const dir = freshDir();
      for (const format of FORMATS) {
        const args = [...format, input];
        const uncached = await run(args, undefined);
        expect(await run(args, dir), `cold ${format.join(" ")}`).toBe(uncached);
        const written = entries(dir).length;
        expect(written).toBeGreaterThan(0);
        expect(await run(args, dir), `warm ${format.join(" ")}`).toBe(uncached);
        expect(entries(dir).length).toBe(written);
      }
    }, 120_000);
  }

  it("answers from the entries on a warm run (an entry rewritten under its key shows through)", async () => {
    const dir = freshDir();
    const args = ["--format", "json", "test/fixtures/lint-demo/golang-migrate"];
    await run(args, dir);
    // Every migration's findings part, in whichever pack holds it, rewritten (the other parts kept).
    let rewritten = 0;
    for (const name of entries(dir)) {
      const entry = decodeEntry(name, readFileSync(join(dir, name)));
      const parts: Record<string, Buffer> = {};
      for (const part of entry?.names() ?? []) {
        const bytes = entry?.partBytes(part) ?? Buffer.alloc(0);
        if (!part.endsWith("/part")) {
          parts[part] = bytes;
          continue;
        }
        const stored = deserialize(bytes) as { findings: Array<{ message: string }> };
        for (const finding of stored.findings) finding.message = "from the cache";
        parts[part] = serialize(stored);
        rewritten++;
      }
      writeFileSync(join(dir, name), encodeEntry(name, parts));
    }
    expect(rewritten).toBeGreaterThan(0);
    const warm = await run(args, dir);
    expect(warm).toContain("from the cache");
  });

  it("prints a cold run's output from damaged entries: flipped bytes, truncated, swapped, emptied", async () => {
    const args = ["--format", "json", "--details", "test/fixtures/lint-demo"];
    const uncached = await run(args, undefined);
    const damages: Record<string, (dir: string, names: string[]) => void> = {
      "every entry with a flipped byte": (dir, names) => {
        for (const name of names) {
          const file = readFileSync(join(dir, name));
          const at = Math.floor(file.length * 0.6);
          file[at] = file[at]! ^ 0x20;
          writeFileSync(join(dir, name), file);
        }
      },
      "every entry truncated": (dir, names) => {
        for (const name of names) writeFileSync(join(dir, name), readFileSync(join(dir, name)).subarray(0, 100));
      },
      "entries swapped in pairs": (dir, names) => {
        for (let i = 0; i + 1 < names.length; i += 2) {
          const a = readFileSync(join(dir, names[i]!));
          writeFileSync(join(dir, names[i]!), readFileSync(join(dir, names[i + 1]!)));
          writeFileSync(join(dir, names[i + 1]!), a);
        }
      },
      "every entry emptied": (dir, names) => {
        for (const name of names) writeFileSync(join(dir, name), "");
      },
    };
    for (const [name, damage] of Object.entries(damages)) {
      const dir = freshDir();
      await run(args, dir);
      damage(dir, entries(dir));
      expect(await run(args, dir), name).toBe(uncached);
      // The damaged entries were replaced by whole ones: the next run is warm and the same.
      expect(await run(args, dir), `${name}, then warm`).toBe(uncached);
    }
  }, 120_000);

  describe("the built command", () => {
    const CLI = join(ROOT, "dist/cli/main.js");
    // Counts WebAssembly instantiations: libpg-query's parser is the command's only WebAssembly.
    const preload = join(scratch, "count-wasm.mjs");
    writeFileSync(
      preload,
      [
        "let count = 0;",
        "for (const name of ['instantiate', 'instantiateStreaming', 'compile', 'compileStreaming']) {",
        "  const original = WebAssembly[name];",
        "  if (typeof original === 'function') WebAssembly[name] = function (...args) { count++; return original.apply(this, args); };",
        "}",
        "process.on('exit', () => process.stderr.write(`wasm-instantiations=${count}\\n`));",
      ].join("\n"),
    );
    const lintChild = (cacheDir: string, ...args: string[]) =>
      spawnSync(process.execPath, ["--import", preload, CLI, "lint", ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH, DATA_ENGINEER_CACHE_DIR: cacheDir },
        encoding: "utf8",
        timeout: 60_000,
      });

    it("loads the parser on a miss and not on a hit", () => {
      const dir = freshDir();
      const cold = lintChild(dir, "--format", "sarif", "test/fixtures/lint-demo");
      expect(cold.stderr).toMatch(/wasm-instantiations=[1-9]/);
      const warm = lintChild(dir, "--format", "sarif", "test/fixtures/lint-demo");
      expect(warm.stderr).toContain("wasm-instantiations=0");
      expect(warm.stdout).toBe(cold.stdout);
      expect(warm.status).toBe(cold.status);
    }, 120_000);

    it("is safe with two processes writing the same entries at once", async () => {
      const dir = freshDir();
      const args = ["lint", "--format", "json", "--details", "test/fixtures/frameworks"];
      const uncached = spawnSync(process.execPath, [CLI, ...args, "--no-cache"], { cwd: ROOT, env: { PATH: process.env.PATH }, encoding: "utf8" });
      const together = await Promise.all(
        [1, 2].map(
          () =>
            new Promise<string>((done, fail) => {
              const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { PATH: process.env.PATH, DATA_ENGINEER_CACHE_DIR: dir } });
              let out = "";
              child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
              child.on("error", fail);
              child.on("close", () => done(out));
            }),
        ),
      );
      expect(together[0]).toBe(uncached.stdout);
      expect(together[1]).toBe(uncached.stdout);
      expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
      const warm = lintChild(dir, "--format", "json", "--details", "test/fixtures/frameworks");
      expect(warm.stdout).toBe(uncached.stdout);
      expect(warm.stderr).toContain("wasm-instantiations=0");
    }, 180_000);
  });
});
