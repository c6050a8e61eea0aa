import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { lint } from "../../src/cli/commands/lint.js";
import type { CliIo } from "../../src/cli/io.js";

/**
 * `lint --format json --details` on examples/ and on the test fixtures, compared byte for byte with the output
 * recorded before the SQL layer and the engine were reorganised: the refactor must not change what
 * lint says. Paths are given relative to the repository root, so the output holds no absolute path.
 * Regenerate (only when a change of behaviour is intended, and say so in the commit):
 * UPDATE_GOLDEN=1 npx vitest run test/cli/lint-golden.test.ts
 */
const ROOT = resolve(import.meta.dirname, "../..");
const GOLDEN = join(ROOT, "test/fixtures/golden/lint");

const subfolders = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `${dir}/${entry.name}`)
    .sort();

/** Each input on its own (a framework folder alone) and the fixture tree as a whole (detection across frameworks). */
const INPUTS = ["examples", "test/fixtures", ...subfolders("test/fixtures/frameworks"), ...subfolders("test/fixtures/lint-demo")];

async function lintJson(path: string): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIo = { out: (text) => void (out += text), err: (text) => void (err += text), cwd: ROOT, env: {} };
  const code = await lint(["--format", "json", "--details", path], io);
  return { code, out, err };
}

const goldenFile = (path: string) => join(GOLDEN, `${path.replaceAll("/", "__")}.json`);

describe("lint --format json --details is unchanged on examples/ and the test fixtures", () => {
  for (const input of INPUTS) {
    it(input, async () => {
      const { code, out, err } = await lintJson(input);
      const recorded = `${JSON.stringify({ exitCode: code, stderr: err })}\n${out}`;
      if (process.env.UPDATE_GOLDEN === "1") writeFileSync(goldenFile(input), recorded);
      expect(out).not.toContain(ROOT);
      expect(recorded).toBe(readFileSync(goldenFile(input), "utf8"));
    });
  }
});
