import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/io.js";
import { optionsHelpText, optionsMarkdownTable, parseArgsOptions, type CliOptions } from "../../src/cli/options.js";
import { DOCUMENTED_OPTIONS, readmeOptionTables, withCurrentOptionTables } from "../../src/cli/readme-options.js";
import { ROOT } from "../helpers/run-built.js";

/**
 * `data-engineer <command> --help` and the README list a command's options from one table (the one
 * the command parses with): the README's tables are generated from it, and this checks them against
 * what --help prints, so a new option or a changed meaning shows in both or the test fails.
 */

const README = readFileSync(`${ROOT}README.md`, "utf8");
const COMMANDS = Object.keys(DOCUMENTED_OPTIONS);

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIo = { out: (text) => void (out += text), err: (text) => void (err += text), cwd: ROOT, env: {} };
  const code = await main(argv, io);
  return { code, out, err };
}

/** The options `--help` lists: the `--name VALUE` that starts each line of its Options block. */
function helpSignatures(help: string): string[] {
  const block = help.slice(help.indexOf("\nOptions:\n"));
  return [...block.matchAll(/^ {2}(--\S+(?: [^\s]+)?) {2,}/gm)].map((m) => m[1] ?? "");
}

/** The options a README table lists: its first column, unescaped. */
function tableSignatures(table: string): string[] {
  return [...table.matchAll(/^\| `(.+?)` \|/gm)].map((m) => (m[1] ?? "").replaceAll("\\|", "|"));
}

describe("the README's option tables", () => {
  it("are current: generated from the tables the commands parse with (npm run readme:cli)", () => {
    expect(withCurrentOptionTables(README) === README, "run npm run readme:cli").toBe(true);
  });

  it.each(COMMANDS)("has exactly one table for %s, listing what `%s --help` lists, in its order", async (command) => {
    const tables = readmeOptionTables(README).get(command) ?? [];
    expect(tables).toHaveLength(1);
    const help = await run([command, "--help"]);
    expect(help.code).toBe(0);
    expect(help.err).toBe("");
    expect(help.out).toContain(optionsHelpText(DOCUMENTED_OPTIONS[command] ?? {}));
    const listed = helpSignatures(help.out);
    expect(listed.length).toBe(Object.keys(DOCUMENTED_OPTIONS[command] ?? {}).length);
    expect(tableSignatures(tables[0] ?? "")).toEqual(listed);
    // `help <command>` is the same text.
    expect((await run(["help", command])).out).toBe(help.out);
  });

  it("mentions no option of a command that the command does not take", () => {
    // Any `data-engineer <command> … --flag` in the README (examples, tables, prose).
    const unknown: string[] = [];
    for (const command of COMMANDS) {
      const names = new Set(Object.keys(DOCUMENTED_OPTIONS[command] ?? {}));
      for (const line of README.split("\n")) {
        const at = line.indexOf(`data-engineer ${command}`);
        if (at < 0) continue;
        const rest = line.slice(at).split("`")[0] ?? "";
        for (const [, name = ""] of rest.matchAll(/--([a-z][a-z-]*)/g)) if (!names.has(name)) unknown.push(`${command} --${name}: ${line.trim()}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});

describe("one option table per command", () => {
  const table = {
    repo: { type: "string", default: ".", value: "DIR", help: "The repository | a folder." },
    quiet: { type: "boolean", help: "Say less." },
  } as const satisfies CliOptions;

  it("gives parseArgs the type and default only", () => {
    expect(parseArgsOptions(table)).toEqual({ repo: { type: "string", default: "." }, quiet: { type: "boolean" } });
  });

  it("renders the help block and the README table from the same entries", () => {
    expect(optionsHelpText(table)).toBe("Options:\n  --repo DIR  The repository | a folder.\n  --quiet     Say less.\n");
    expect(optionsMarkdownTable(table)).toBe("| Option | Meaning |\n| --- | --- |\n| `--repo DIR` | The repository \\| a folder. |\n| `--quiet` | Say less. |");
  });

  it("wraps long help under its own column", () => {
    const long = { x: { type: "boolean", help: Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ") } } as const satisfies CliOptions;
    const lines = optionsHelpText(long).trimEnd().split("\n");
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    for (const line of lines.slice(2)) expect(line).toMatch(/^ {7}word/);
  });
});
