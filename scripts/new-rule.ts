/**
 * `npm run new-rule <id> [-- --category C] [--severity S]`: scaffolds a rule. Writes the rule
 * (src/rules/<id>.ts), its test (test/rules/<id>.test.ts) and its page (docs/rules/<id>.md) from
 * templates that already pass the documentation meta-test, adds the id to src/ids/rule-ids.ts, the
 * import and entry to the registry (src/rules/index.ts) and a row to the README's rules table.
 * The templates check one concrete statement (LOCK TABLE) so that the scaffold runs; replace that
 * and every TODO. Runs with Node 24's type stripping (`node scripts/new-rule.ts`): node: imports
 * only, no syntax that needs compiling. CONTRIBUTING.md has the whole recipe.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const CATEGORIES = ["locking", "rollback", "idempotency", "destructive", "compat", "hygiene"] as const;
export const SEVERITIES = ["error", "warning", "note"] as const;

export type Category = (typeof CATEGORIES)[number];
export type Severity = (typeof SEVERITIES)[number];

export interface NewRule {
  id: string;
  category: Category;
  severity: Severity;
}

/** Lower-case words joined by single hyphens, as every rule id (and squawk's) is written. */
const RULE_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/;

/** Where the registry's entries for rules raised by the engine itself begin: new rules go above. */
export const REGISTRY_ANCHOR = "  // Raised by the engine itself.";

export function camelCase(id: string): string {
  return id.replace(/-([a-z0-9])/g, (_whole, letter: string) => letter.toUpperCase());
}

export function ruleSource(rule: NewRule): string {
  return `import { bodyOf } from "../sql/nodes.js";
import { defineRule } from "./types.js";

/**
 * TODO: the Postgres reason for this rule: which lock it takes or what fails, what that blocks,
 * for how long. The check below (an explicit LOCK TABLE) is the template's example: replace it.
 */
export default defineRule({
  id: "${rule.id}",
  meta: {
    severity: "${rule.severity}",
    category: "${rule.category}",
    description: "TODO: one line that says what the rule checks.",
    messages: {
      found: "TODO: what this statement locks or breaks, and what waits meanwhile.",
    },
  },
  // The engine calls statement() only for these node kinds.
  nodes: ["LockStmt"],
  statement({ statement, report }) {
    const lock = bodyOf(statement.node, "LockStmt");
    if (!lock) return;
    report({ messageId: "found", help: "TODO: what to write instead." });
  },
});
`;
}

export function testSource(rule: NewRule): string {
  return `import { beforeAll, describe, it } from "vitest";
import rule from "../../src/rules/${rule.id}.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { testRule } from "../helpers/rule-tester.js";

beforeAll(() => loadSqlParser());

/** One \`it\` per case; SQL as it would be written in a migration. TODO: the rule's own cases. */
describe(rule.id, () => {
  it("flags the statement it is about", () => {
    testRule(rule, {
      valid: [],
      invalid: [
        {
          sql: \`
CREATE INDEX orders_status_idx ON orders (status);
LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;
\`.trimStart(),
          lines: [2],
        },
      ],
    });
  });

  it("accepts what the documentation recommends instead", () => {
    testRule(rule, {
      valid: [
        \`
SELECT count(*)
FROM orders;
\`.trimStart(),
      ],
      invalid: [],
    });
  });
});
`;
}

/** The tier's name for users: note is the policy tier (src/rules/presets.ts). */
function tierWord(severity: Severity): string {
  return severity === "note" ? "policy" : severity;
}

/** The `strict` preset raises policy rules to warning (src/rules/presets.ts's presetSeverity). */
function strictTier(severity: Severity): Severity {
  return severity === "note" ? "warning" : severity;
}

function tierName(severity: Severity): string {
  const word = tierWord(severity);
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export function docSource(rule: NewRule): string {
  return `---
id: ${rule.id}
title: "TODO: what to do, as an imperative"
severity: ${rule.severity}
category: ${rule.category}
---

# ${rule.id}

**Tier:** ${tierName(rule.severity)} under \`recommended\`, ${tierName(strictTier(rule.severity))} under \`strict\`: TODO: why this tier (errors block production or are refused by Postgres, warnings depend on size or traffic, policy is an opinion).

## Problem

TODO: what the statement locks or breaks, what waits meanwhile, and for how long; when the rule
stays silent (a table created in the same migration, …). Cite the PostgreSQL documentation, e.g.
[Explicit Locking](https://www.postgresql.org/docs/current/explicit-locking.html).

## Solution

### Instead of

\`\`\`sql
LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;
\`\`\`

### Use

\`\`\`sql
SELECT count(*) FROM orders;
\`\`\`

## When not to use it

TODO: when the finding is safe to ignore. Silence it for one statement with
\`-- data-engineer-ignore ${rule.id}\`.
`;
}

/** rule-ids.ts with the id appended to ANALYSER_RULE_IDS. */
export function addToIds(text: string, id: string): string {
  const start = text.indexOf("export const ANALYSER_RULE_IDS = [");
  const end = start === -1 ? -1 : text.indexOf("] as const;", start);
  if (end === -1) throw new Error("src/ids/rule-ids.ts: ANALYSER_RULE_IDS = [ … ] as const; not found");
  if (text.includes(`"${id}"`)) throw new Error(`src/ids/rule-ids.ts already names "${id}"`);
  return `${text.slice(0, end)}  "${id}",\n${text.slice(end)}`;
}

/** index.ts with the rule's import (in path order among the default imports) and its registry entry. */
export function addToRegistry(text: string, id: string): string {
  const name = camelCase(id);
  const importLine = `import ${name} from "./${id}.js";`;
  const lines = text.split("\n");
  const imports = lines.flatMap((line, index) => {
    const path = /^import .* from "\.\/([^"]+)\.js";$/.exec(line)?.[1];
    return path === undefined ? [] : [{ index, path }];
  });
  if (imports.length === 0) throw new Error("src/rules/index.ts: no rule imports found");
  const after = imports.find((entry) => entry.path > id);
  lines.splice(after ? after.index : (imports.at(-1)?.index ?? 0) + 1, 0, importLine);
  const anchor = lines.indexOf(REGISTRY_ANCHOR);
  if (anchor === -1) throw new Error(`src/rules/index.ts: the line "${REGISTRY_ANCHOR.trim()}" marks where new entries go; not found`);
  lines.splice(anchor, 0, `  "${id}": ${name},`);
  return lines.join("\n");
}

/** README.md with the rule's row in the rules table, above the engine's own rules. */
export function addToReadme(text: string, rule: NewRule): string {
  const anchor = "| [`syntax-error`](docs/rules/syntax-error.md) |";
  const at = text.indexOf(anchor);
  if (at === -1) throw new Error("README.md: the rules table's syntax-error row not found");
  const row = `| [\`${rule.id}\`](docs/rules/${rule.id}.md) | ${rule.category} | ${tierWord(rule.severity)} | ${tierWord(strictTier(rule.severity))} | TODO: the rule's description. |\n`;
  return text.slice(0, at) + row + text.slice(at);
}

/** Writes every file of the new rule under `root`; returns the paths touched, relative to it. */
export function scaffoldRule(root: string, rule: NewRule): string[] {
  if (!RULE_ID.test(rule.id)) throw new Error(`"${rule.id}" is not a rule id: lower-case words joined by hyphens, e.g. require-concurrent-index`);
  const created: Array<[string, string]> = [
    [`src/rules/${rule.id}.ts`, ruleSource(rule)],
    [`test/rules/${rule.id}.test.ts`, testSource(rule)],
    [`docs/rules/${rule.id}.md`, docSource(rule)],
  ];
  for (const [path] of created) if (existsSync(join(root, path))) throw new Error(`${path} exists already`);
  const read = (path: string) => readFileSync(join(root, path), "utf8");
  // Every edit is computed before anything is written: a failure leaves the tree as it was.
  const edited: Array<[string, string]> = [
    ["src/ids/rule-ids.ts", addToIds(read("src/ids/rule-ids.ts"), rule.id)],
    ["src/rules/index.ts", addToRegistry(read("src/rules/index.ts"), rule.id)],
    ["README.md", addToReadme(read("README.md"), rule)],
  ];
  for (const [path, text] of [...created, ...edited]) writeFileSync(join(root, path), text);
  return [...created, ...edited].map(([path]) => path);
}

function option<T extends string>(args: string[], name: string, allowed: readonly T[], fallback: T): T {
  const at = args.indexOf(`--${name}`);
  if (at === -1) return fallback;
  const value = args[at + 1];
  if (!allowed.includes(value as T)) throw new Error(`--${name} must be one of ${allowed.join(", ")}`);
  args.splice(at, 2);
  return value as T;
}

export function main(argv: string[], root: string, out: (line: string) => void, format?: (root: string, paths: readonly string[]) => void): number {
  const args = [...argv];
  try {
    const category = option(args, "category", CATEGORIES, "locking");
    const severity = option(args, "severity", SEVERITIES, "warning");
    const rootAt = args.indexOf("--root");
    const target = rootAt === -1 ? root : resolve(args.splice(rootAt, 2)[1] ?? root);
    const [id, ...rest] = args;
    if (id === undefined || rest.length > 0) throw new Error("usage: npm run new-rule <rule-id> [-- --category C] [--severity S]");
    const touched = scaffoldRule(target, { id, category, severity });
    // The files written follow the project's formatter, which `npm test` checks.
    format?.(
      target,
      touched.filter((path) => path.endsWith(".ts")),
    );
    out(`Wrote ${touched.length} files:\n${touched.map((path) => `  ${path}`).join("\n")}`);
    out("Next: replace every TODO and the template's LOCK TABLE check, then npx vitest run test/rules/" + `${id}.test.ts test/rules/rule-docs.test.ts`);
    return 0;
  } catch (error) {
    out(`new-rule: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const prettier = (root: string, paths: readonly string[]): void => {
    const bin = createRequire(import.meta.url).resolve("prettier/bin/prettier.cjs");
    spawnSync(process.execPath, [bin, "--write", ...paths], { cwd: root, stdio: "ignore" });
  };
  process.exitCode = main(process.argv.slice(2), resolve(dirname(fileURLToPath(import.meta.url)), ".."), (line) => process.stdout.write(`${line}\n`), prettier);
}
