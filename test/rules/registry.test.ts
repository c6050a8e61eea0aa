import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { syntaxError, unusedIgnore } from "../../src/rules/builtin.js";
import banVacuumFull from "../../src/rules/ban-vacuum-full.js";
import { RULE_IDS, SQUAWK_RULE_NAMES, canonicalRuleId, isRuleId, ruleIdsFor } from "../../src/ids/rule-ids.js";
import { RULE_REGISTRY, RULES, RULES_BY_ID } from "../../src/rules/index.js";
import preferTimestamptz from "../../src/rules/prefer-timestamptz.js";
import { REPLAY_CHECKS } from "../../src/replay/findings.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint } from "../helpers/rule-tester.js";
import { ROOT } from "../helpers/run-built.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe("the rule registry", () => {
  it("files every rule under its own id", () => {
    for (const [key, rule] of Object.entries(RULE_REGISTRY)) expect(rule.id, key).toBe(key);
  });

  it("holds exactly the ids of the ids module, in its order, each once", () => {
    expect(RULES.map((rule) => rule.id)).toEqual([...RULE_IDS]);
    expect(new Set(RULE_IDS).size).toBe(RULE_IDS.length);
    expect(RULES_BY_ID.size).toBe(RULE_IDS.length);
  });

  it("holds the replay's checks as rules without checks of their own", () => {
    for (const check of Object.values(REPLAY_CHECKS)) {
      expect(RULES_BY_ID.get(check.id)).toBe(check);
      expect(Object.keys(check).sort()).toEqual(["id", "meta"]);
    }
  });

  it("keeps the ids module at the bottom of the import graph: it imports nothing", () => {
    const source = readFileSync(`${ROOT}src/ids/rule-ids.ts`, "utf8");
    expect(source).not.toMatch(/^\s*import\b/m);
    expect(source).not.toMatch(/\bimport\(/);
  });
});

describe("squawk's rule names", () => {
  it("name a rule of ours each; where squawk spells a name like one of our ids, it is that rule", () => {
    for (const [name, ours] of Object.entries(SQUAWK_RULE_NAMES)) {
      const ids: readonly string[] = typeof ours === "string" ? [ours] : ours;
      expect(ids.length, name).toBeGreaterThan(0);
      for (const id of ids) expect(isRuleId(id), name).toBe(true);
      if (isRuleId(name)) expect(ids, name).toEqual([name]);
    }
  });

  it("are resolved to our ids, and nothing else is", () => {
    expect(canonicalRuleId("prefer-robust-stmts")).toBe("require-if-not-exists");
    expect(canonicalRuleId("replay-down-mismatch")).toBe("replay-down-mismatch");
    expect(canonicalRuleId("require-concurent-index")).toBeUndefined();
    expect(canonicalRuleId("constructor")).toBeUndefined();
  });

  it("include the names squawk prints for timestamptz and VACUUM FULL / CLUSTER", () => {
    const found = (sql: string) => lint(sql, [preferTimestamptz, banVacuumFull, syntaxError, unusedIgnore]).map((f) => f.rule);
    expect(found("CREATE TABLE t (at timestamp);")).toEqual(["prefer-timestamptz"]);
    expect(found("-- squawk-ignore prefer-timestamp-tz\nCREATE TABLE t (at timestamp);")).toEqual([]);
    expect(found("VACUUM FULL orders;")).toEqual(["ban-vacuum-full"]);
    expect(found("-- squawk-ignore prefer-repack\nVACUUM FULL orders;")).toEqual([]);
  });

  it("stand for every rule of ours that squawk's one rule covers", () => {
    expect(ruleIdsFor("require-timeout-settings")).toEqual(["require-lock-timeout", "require-statement-timeout"]);
    expect(ruleIdsFor("constraint-missing-not-valid")).toEqual(["require-not-valid-check", "require-not-valid-foreign-key", "validate-in-same-transaction"]);
    expect(ruleIdsFor("adding-field-with-default")).toEqual(["volatile-default-rewrite", "rewriting-column-add"]);
    expect(ruleIdsFor("set-not-null-scan")).toEqual(["set-not-null-scan"]);
    expect(ruleIdsFor("constructor")).toEqual([]);
    const rules = [...RULES, syntaxError, unusedIgnore];
    const found = (sql: string) => lint(sql, rules).map((f) => f.rule);
    const timeouts = "ALTER TABLE orders ALTER COLUMN email SET NOT NULL;\nSELECT 1;";
    expect(found(timeouts)).toEqual(expect.arrayContaining(["require-lock-timeout", "require-statement-timeout"]));
    expect(found(`-- squawk-ignore require-timeout-settings\n${timeouts}`)).not.toEqual(expect.arrayContaining(["require-lock-timeout"]));
    expect(found(`-- squawk-ignore require-timeout-settings\n${timeouts}`)).not.toEqual(expect.arrayContaining(["require-statement-timeout"]));
    const constraints =
      "SET lock_timeout = '1s';\nSET statement_timeout = '1s';\n-- squawk-ignore constraint-missing-not-valid\nALTER TABLE orders ADD CONSTRAINT c CHECK (total > 0), ADD CONSTRAINT f FOREIGN KEY (user_id) REFERENCES users (id);";
    expect(found(constraints.replace(/^-- squawk-ignore.*\n/m, ""))).toEqual(
      expect.arrayContaining(["require-not-valid-check", "require-not-valid-foreign-key"]),
    );
    expect(found(constraints).filter((rule) => rule.startsWith("require-not-valid"))).toEqual([]);
    const generated =
      "SET lock_timeout = '1s';\nSET statement_timeout = '1s';\n-- squawk-ignore adding-field-with-default\nALTER TABLE orders ADD COLUMN total2 numeric GENERATED ALWAYS AS (total * 2) STORED, ADD COLUMN token uuid DEFAULT gen_random_uuid();";
    expect(found(generated.replace(/^-- squawk-ignore.*\n/m, ""))).toEqual(expect.arrayContaining(["rewriting-column-add", "volatile-default-rewrite"]));
    expect(found(generated).filter((rule) => rule === "rewriting-column-add" || rule === "volatile-default-rewrite")).toEqual([]);
  });

  it("leave a name squawk does not have as written (and reported unused), even one an object inherits", () => {
    const findings = lint("-- squawk-ignore constructor\nVACUUM FULL orders;", [banVacuumFull, unusedIgnore]);
    expect(findings.map((f) => f.rule)).toEqual(["unused-ignore", "ban-vacuum-full"]);
    expect(findings[0]?.message).toContain("(constructor)");
  });
});
