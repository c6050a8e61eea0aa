import { describe, expect, it } from "vitest";
import { DATA_ENGINEER_INFORMATION_URI, relativeUri, SARIF_SCHEMA, toSarif } from "../../src/report/sarif.js";
import { RULES } from "../../src/rules/index.js";
import type { Finding } from "../../src/rules/types.js";

/** SARIF 2.1.0 as GitHub code scanning reads it: structure, levels, locations, rule indexes. */

function finding(rule: string, changes: Partial<Finding> = {}): Finding {
  return { rule, severity: "warning", category: "locking", path: "db/migrations/001_x.up.sql", line: 3, endLine: 3, message: `${rule} message`, ...changes };
}

const findings: Finding[] = [
  finding("require-concurrent-index", { help: "Use CREATE INDEX CONCURRENTLY." }),
  finding("ban-drop-schema", { severity: "error", category: "destructive", line: 7, endLine: 9 }),
  finding("prefer-text", { severity: "note", category: "hygiene", path: "db/migrations/my file#1.sql" }),
  // A configured severity overrides the rule's default.
  finding("require-statement-timeout", { severity: "error" }),
  finding("agent/compat", { category: "agent", origin: "agent", severity: "warning", path: "app/models/order.py", line: 12, endLine: 14 }),
  finding("agent/compat", { category: "agent", origin: "agent", severity: "note", line: 1, endLine: 1 }),
];
const sarif = toSarif(findings, { rules: RULES, version: "1.2.3" });
const run = sarif.runs[0];
const driver = run?.tool.driver;

describe("toSarif", () => {
  it("is one SARIF 2.1.0 run of the data-engineer tool", () => {
    expect(sarif.$schema).toBe(SARIF_SCHEMA);
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs).toHaveLength(1);
    expect(driver).toMatchObject({ name: "data-engineer", version: "1.2.3", informationUri: DATA_ENGINEER_INFORMATION_URI });
    expect(new URL(driver?.informationUri ?? "").protocol).toBe("https:");
  });

  it("lists every rule of the registry in its order, with its description, default level and category, then rules found outside it", () => {
    const ids = driver?.rules.map((r) => r.id) ?? [];
    expect(ids.slice(0, RULES.length)).toEqual(RULES.map((r) => r.id));
    expect(ids.slice(RULES.length)).toEqual(["agent/compat"]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [i, rule] of RULES.entries()) {
      const described = driver?.rules[i];
      expect(described?.shortDescription.text).toBe(rule.meta.description);
      expect(described?.defaultConfiguration.level).toBe(rule.meta.severity);
      expect(described?.properties).toMatchObject({ category: rule.meta.category, docs: `docs/rules/${rule.id}.md` });
    }
    expect(driver?.rules.at(-1)?.properties.tags).toEqual(["agent"]);
  });

  it("describes the replay's findings by what they check: they are registry rules with a docs page", () => {
    const replayed = toSarif([finding("replay-down-mismatch", { category: "rollback", path: "db/migrations/002_x.down.sql" })], {
      rules: RULES,
      version: "1.2.3",
    });
    const driverRules = replayed.runs[0]?.tool.driver.rules ?? [];
    expect(driverRules).toHaveLength(RULES.length);
    const index = replayed.runs[0]?.results[0]?.ruleIndex ?? -1;
    const rule = driverRules[index];
    expect(rule?.id).toBe("replay-down-mismatch");
    expect(rule?.shortDescription.text).toMatch(/After up then down, the schema differs/);
    expect(rule?.properties.docs).toBe("docs/rules/replay-down-mismatch.md");
  });

  it("points every result at its rule: ruleIndex names the rule with ruleId", () => {
    expect(run?.results).toHaveLength(findings.length);
    for (const result of run?.results ?? []) expect(driver?.rules[result.ruleIndex]?.id).toBe(result.ruleId);
    // The indexes do not depend on what was found.
    const alone = toSarif([finding("prefer-text")], { rules: RULES, version: "1.2.3" });
    expect(alone.runs[0]?.results[0]?.ruleIndex).toBe(RULES.findIndex((r) => r.id === "prefer-text"));
  });

  it("gives each result the finding's own level: error, warning or note", () => {
    expect(run?.results.map((r) => r.level)).toEqual(["warning", "error", "note", "error", "warning", "note"]);
  });

  it("says what is wrong and what to do instead", () => {
    expect(run?.results[0]?.message.text).toBe("require-concurrent-index message Use CREATE INDEX CONCURRENTLY.");
    expect(run?.results[1]?.message.text).toBe("ban-drop-schema message");
  });

  it("locates results by repository-relative URI and line range", () => {
    const locations = run?.results.map((r) => r.locations[0]?.physicalLocation);
    expect(locations?.[0]).toEqual({ artifactLocation: { uri: "db/migrations/001_x.up.sql" }, region: { startLine: 3, endLine: 3 } });
    expect(locations?.[1]?.region).toEqual({ startLine: 7, endLine: 9 });
    expect(locations?.[2]?.artifactLocation.uri).toBe("db/migrations/my%20file%231.sql");
    expect(locations?.[4]).toEqual({ artifactLocation: { uri: "app/models/order.py" }, region: { startLine: 12, endLine: 14 } });
    for (const location of locations ?? []) {
      expect(location?.artifactLocation.uri).not.toMatch(/^(\/|[a-z]+:)/);
      expect(location?.region.endLine).toBeGreaterThanOrEqual(location?.region.startLine ?? 0);
    }
  });

  it("takes another way of naming files, and gives an empty run when nothing was found", () => {
    const custom = toSarif([finding("prefer-text")], { rules: RULES, version: "1", uriOf: (path) => `sub/${path}` });
    expect(custom.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri).toBe("sub/db/migrations/001_x.up.sql");
    const empty = toSarif([], { rules: RULES, version: "1" });
    expect(empty.runs[0]?.results).toEqual([]);
    expect(empty.runs[0]?.tool.driver.rules).toHaveLength(RULES.length);
  });
});

describe("relativeUri", () => {
  it("percent-encodes each path segment and uses forward slashes", () => {
    expect(relativeUri("db/migrations/0001_init.sql")).toBe("db/migrations/0001_init.sql");
    expect(relativeUri("db\\a b\\c?.sql")).toBe("db/a%20b/c%3F.sql");
  });
});
