import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, runBuilt } from "./helpers/run-built.js";

/**
 * The esbuild bundles (scripts/bundle.js): dist/bundle/ (the binary and the server; built by the
 * global setup like dist/) and dist-action/ (the GitHub Action's, committed). esbuild's output is
 * deterministic for the same sources, lockfile and esbuild version, so the committed dist-action/
 * is current exactly when a rebuild gives the same bytes.
 */

const work = mkdtempSync(join(tmpdir(), "de-bundle-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const filesOf = (dir: string) => readdirSync(dir).sort();

describe("dist-action/, the Action's committed bundle", () => {
  it("is what `npm run bundle` makes of the current sources (else run it and commit dist-action/)", () => {
    const rebuilt = join(work, "dist-action");
    execFileSync(process.execPath, [join(ROOT, "scripts/bundle.js"), "--only", "action", "--out-action", rebuilt], { cwd: ROOT, stdio: "pipe" });
    const committed = join(ROOT, "dist-action");
    expect(filesOf(committed)).toEqual(filesOf(rebuilt));
    for (const file of filesOf(rebuilt)) {
      expect(readFileSync(join(committed, file)).equals(readFileSync(join(rebuilt, file))), `dist-action/${file} is not current: run npm run bundle`).toBe(
        true,
      );
    }
  });
});

/**
 * A hook (module.registerHooks) that prints the URL of every module whose source carries
 * libpg-query's WASM glue: in dist/ that is the package's own file, in the bundle the chunk it went into.
 */
function parserWatch(): string {
  const hook = join(work, "watch-parser.mjs");
  writeFileSync(
    hook,
    [
      'import { registerHooks } from "node:module";',
      "registerHooks({",
      "  load(url, context, nextLoad) {",
      "    const result = nextLoad(url, context);",
      // libpg-query's own glue (an entry point of its WASM module and Emscripten's loader of the
      // WASM file), not a mere mention: src/sql/pg-query-wasm.ts calls that entry point by name.
      '    const source = String(result.source ?? "");',
      '    if (source.includes("_wasm_parse_query") && source.includes("findWasmBinary")) process.stderr.write(`PARSER LOADED ${url}\\n`);',
      "    return result;",
      "  },",
      "});",
    ].join("\n"),
  );
  return hook;
}

function run(entry: string, args: readonly string[], cwd: string, nodeArgs: readonly string[] = []) {
  return spawnSync(process.execPath, [...nodeArgs, entry, ...args], { cwd, env: { PATH: process.env.PATH }, encoding: "utf8", timeout: 30_000 });
}

describe("dist/bundle/data-engineer.js, the binary", () => {
  const bin = join(ROOT, "dist/bundle/data-engineer.js");
  const dir = join(work, "repo");
  mkdirSync(join(dir, "db/migrations"), { recursive: true });
  mkdirSync(join(dir, "empty"), { recursive: true });
  writeFileSync(join(dir, "db/migrations/0001_note.up.sql"), "ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note ON orders (note);\n");

  it("prints what the tsc build prints, for text, JSON and SARIF", () => {
    for (const format of ["text", "json", "sarif"]) {
      const bundled = run(bin, ["lint", "--format", format, "db"], dir);
      const compiled = runBuilt("cli/main.js", ["lint", "--format", format, "db"], { cwd: dir });
      expect(bundled.stderr).toBe("");
      expect(bundled.status).toBe(compiled.status);
      expect(bundled.stdout).toBe(compiled.stdout);
    }
    expect(run(bin, ["lint", "db"], dir).stdout).toContain("require-concurrent-index");
  }, 120_000); // six processes, on a machine the suite keeps busy

  it("loads libpg-query only when there is SQL to parse: not for --help, nor for a folder without migrations", () => {
    const hook = parserWatch();
    for (const entry of [bin, join(ROOT, "dist/cli/main.js")]) {
      const help = run(entry, ["--help"], dir, ["--import", hook]);
      expect(help.status).toBe(0);
      expect(help.stderr).not.toContain("PARSER LOADED");
      const empty = run(entry, ["lint", "empty"], dir, ["--import", hook]);
      expect(empty.stdout).toContain("0 migrations checked");
      expect(empty.stderr).not.toContain("PARSER LOADED");
      // The watch does see it when a file is parsed: the two above are not blind.
      expect(run(entry, ["lint", "db"], dir, ["--import", hook]).stderr).toContain("PARSER LOADED");
    }
  }, 120_000);

  it("is the package's binary", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
    expect(pkg.bin["data-engineer"]).toBe("dist/bundle/data-engineer.js");
    expect(readFileSync(bin, "utf8")).toMatch(/^#!\/usr\/bin\/env -S node --liftoff-only --max-semi-space-size=16 --no-opt --single-threaded\n/);
    // Run as a program, as npm links it: the #! line starts node with the flag.
    const ran = spawnSync(bin, ["--help"], { cwd: dir, env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}` }, encoding: "utf8" });
    expect(ran.status).toBe(0);
    expect(ran.stdout).toMatch(/^Usage: data-engineer <command>/);
  });

  it("gives the same findings with V8's --liftoff-only as without", () => {
    const plain = run(bin, ["lint", "--format", "json", "db"], dir);
    const liftoff = run(bin, ["lint", "--format", "json", "db"], dir, ["--liftoff-only"]);
    expect(liftoff.stdout).toBe(plain.stdout);
    expect(JSON.parse(plain.stdout)).toMatchObject({ findings: expect.arrayContaining([expect.objectContaining({ rule: "require-concurrent-index" })]) });
  });
});
