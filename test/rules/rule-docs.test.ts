import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RULES } from "../../src/rules/index.js";
import { presetSeverity, TIER_NAME } from "../../src/rules/presets.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { DOC_SECTIONS, isReplayRule, readDoc, runExample } from "../helpers/rule-docs.js";
import { ROOT } from "../helpers/run-built.js";

/**
 * Every rule has a documentation page and a test file, and each page's examples do what the page
 * says: the "Instead of" SQL raises the rule, the "Use" SQL does not (see test/helpers/rule-docs.ts
 * for the example conventions). The replay's checks run their examples in a real Postgres, in
 * test/replay/replay-docs.test.ts, which is also their test file here.
 */

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

/** Where a rule's tests are: one file per rule, the engine's own two share one. */
function testFileOf(id: string): string {
  if (id === "syntax-error" || id === "unused-ignore") return "test/rules/builtin.test.ts";
  if (isReplayRule(id)) return "test/replay/replay-docs.test.ts";
  return `test/rules/${id}.test.ts`;
}

describe("rule documentation", () => {
  it("has a page for every rule and a rule for every page", () => {
    const pages = readdirSync(`${ROOT}docs/rules`)
      .filter((f) => f.endsWith(".md"))
      .map((f) => f.replace(/\.md$/, ""))
      .sort();
    expect(pages).toEqual(RULES.map((r) => r.id).sort());
  });

  describe.each(RULES.map((rule) => [rule.id, rule] as const))("%s", (id, rule) => {
    it("has a test file", () => {
      expect(existsSync(`${ROOT}${testFileOf(id)}`)).toBe(true);
    });

    it("has a page whose front matter matches the rule", () => {
      const doc = readDoc(ROOT, id);
      expect(doc.front).toMatchObject({ id, severity: rule.meta.severity, category: rule.meta.category });
      expect(typeof doc.front.title).toBe("string");
      for (const section of DOC_SECTIONS) expect(doc.body).toContain(section);
      // Its tier under each preset, and why (the line ends with the reason).
      const tier = (preset: "recommended" | "strict") => TIER_NAME[presetSeverity(rule, preset)];
      expect(doc.body).toMatch(
        new RegExp(`^\\*\\*Tier:\\*\\* ${tier("recommended")} under \`recommended\`, ${tier("strict")} under \`strict\`: \\S.{20,}$`, "m"),
      );
      expect(doc.body).toMatch(/https:\/\/www\.postgresql\.org\/docs\/|https:\/\//);
    });

    it.skipIf(isReplayRule(id))("raises itself on the 'Instead of' examples and not on the 'Use' examples", () => {
      const doc = readDoc(ROOT, id);
      expect(doc.insteadOf.length).toBeGreaterThan(0);
      expect(doc.use.length).toBeGreaterThan(0);
      for (const example of doc.insteadOf) {
        expect(
          runExample(example, rule).map((f) => f.rule),
          example,
        ).toContain(id);
      }
      for (const example of doc.use) {
        const findings = runExample(example, rule);
        expect(
          findings.map((f) => f.rule),
          example,
        ).not.toContain(id);
        expect(
          findings.map((f) => f.rule),
          example,
        ).not.toContain("syntax-error");
      }
    });
  });
});
