import { existsSync, readdirSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { RULES } from "../../src/rules/index.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint } from "../helpers/rule-tester.js";
import { ROOT } from "../helpers/run-built.js";

/**
 * Every rule has a documentation page and a test file, and each page's examples do what the page
 * says: the "Instead of" SQL raises the rule, the "Use" SQL does not. A first line
 * `-- context: in-transaction` runs an example inside the framework's transaction,
 * `-- context: no-down` runs it without a down file; a line
 * `-- migrate:down` starts the down migration.
 */

beforeAll(() => loadSqlParser());

interface RuleDoc {
  front: Record<string, unknown>;
  body: string;
  insteadOf: string[];
  use: string[];
}

function sqlBlocks(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`### ${heading}`);
  if (start === -1) return [];
  const rest = markdown.slice(start + heading.length + 4);
  const end = rest.search(/\n##+ /);
  const part = end === -1 ? rest : rest.slice(0, end);
  return [...part.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
}

function readDoc(id: string): RuleDoc {
  const text = readFileSync(`${ROOT}docs/rules/${id}.md`, "utf8");
  const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  if (!match) throw new Error(`docs/rules/${id}.md has no front matter`);
  const body = match[2] ?? "";
  return { front: YAML.parse(match[1] ?? "") as Record<string, unknown>, body, insteadOf: sqlBlocks(body, "Instead of"), use: sqlBlocks(body, "Use") };
}

function runExample(sql: string, ruleId: string) {
  const rule = RULES.find((r) => r.id === ruleId);
  if (!rule) throw new Error(ruleId);
  const inTransaction = /^-- context: in-transaction\b/m.test(sql);
  const noDown = /^-- context: no-down\b/m.test(sql);
  return lint({ sql, inTransaction, noDown }, [rule]);
}

describe("rule documentation", () => {
  it("has a page for every rule and a rule for every page", () => {
    const pages = readdirSync(`${ROOT}docs/rules`).filter((f) => f.endsWith(".md")).map((f) => f.replace(/\.md$/, "")).sort();
    expect(pages).toEqual(RULES.map((r) => r.id).sort());
  });

  describe.each(RULES.map((rule) => [rule.id, rule] as const))("%s", (id, rule) => {
    it("has a test file", () => {
      const builtin = id === "syntax-error" || id === "unused-ignore";
      expect(existsSync(`${ROOT}test/rules/${builtin ? "builtin" : id}.test.ts`)).toBe(true);
    });

    it("has a page whose front matter matches the rule", () => {
      const doc = readDoc(id);
      expect(doc.front).toMatchObject({ id, severity: rule.meta.severity, category: rule.meta.category });
      expect(typeof doc.front.title).toBe("string");
      for (const section of ["## Problem", "## Solution", "### Instead of", "### Use", "## When not to use it"]) expect(doc.body).toContain(section);
      expect(doc.body).toMatch(/https:\/\/www\.postgresql\.org\/docs\/|https:\/\//);
    });

    it("raises itself on the 'Instead of' examples and not on the 'Use' examples", () => {
      const doc = readDoc(id);
      expect(doc.insteadOf.length).toBeGreaterThan(0);
      expect(doc.use.length).toBeGreaterThan(0);
      for (const example of doc.insteadOf) {
        expect(runExample(example, id).map((f) => f.rule), example).toContain(id);
      }
      for (const example of doc.use) {
        const findings = runExample(example, id);
        expect(findings.map((f) => f.rule), example).not.toContain(id);
        expect(findings.map((f) => f.rule), example).not.toContain("syntax-error");
      }
    });
  });
});
