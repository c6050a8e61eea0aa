import { readFileSync } from "node:fs";
import YAML from "yaml";
import { REPLAY_RULE_IDS } from "../../src/ids/rule-ids.js";
import type { Rule } from "../../src/rules/types.js";
import { lint } from "./rule-tester.js";

/**
 * Reading docs/rules/<id>.md pages for the meta-tests (test/rules/rule-docs.test.ts, the replay's
 * test/replay/replay-docs.test.ts and the new-rule script's test). A first line
 * `-- context: in-transaction` runs an example inside the framework's transaction,
 * `-- context: no-down` runs it without a down file; a line `-- migrate:down` starts the down.
 */

export interface RuleDoc {
  front: Record<string, unknown>;
  body: string;
  insteadOf: string[];
  use: string[];
}

/** The sections every page has, in this order. */
export const DOC_SECTIONS = ["## Problem", "## Solution", "### Instead of", "### Use", "## When not to use it"] as const;

const REPLAY: ReadonlySet<string> = new Set(REPLAY_RULE_IDS);

/** The replay's checks: their examples run in the replay (test/replay/replay-docs.test.ts), not the analyser. */
export function isReplayRule(id: string): boolean {
  return REPLAY.has(id);
}

function sqlBlocks(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`### ${heading}`);
  if (start === -1) return [];
  const rest = markdown.slice(start + heading.length + 4);
  const end = rest.search(/\n##+ /);
  const part = end === -1 ? rest : rest.slice(0, end);
  return [...part.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
}

/** A page's front matter, body and SQL examples; `root` is the repository root (with a trailing slash). */
export function readDoc(root: string, id: string): RuleDoc {
  const text = readFileSync(`${root}docs/rules/${id}.md`, "utf8");
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  if (!match) throw new Error(`docs/rules/${id}.md has no front matter`);
  const body = match[2] ?? "";
  return { front: YAML.parse(match[1] ?? "") as Record<string, unknown>, body, insteadOf: sqlBlocks(body, "Instead of"), use: sqlBlocks(body, "Use") };
}

/** An example through the analyser with only `rule`. */
export function runExample(sql: string, rule: Rule) {
  const inTransaction = /^-- context: in-transaction\b/m.test(sql);
  const noDown = /^-- context: no-down\b/m.test(sql);
  return lint({ sql, inTransaction, noDown }, [rule]);
}
