import { describe, expect, it } from "vitest";
import { AnalysisConfigSchema } from "../../src/config/analysis-config.js";
import { DEFAULT_REPO_CONFIG } from "../../src/config/repo-config.js";
import { checkVerdict } from "../../src/report/check-verdict.js";
import { analyzeMigrations } from "../../src/rules/engine.js";
import { RULES, RULES_BY_ID } from "../../src/rules/index.js";
import { presetSeverity } from "../../src/rules/presets.js";
import { assumedTableSizes } from "../../src/rules/table-sizes.js";
import type { Rule } from "../../src/rules/types.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { caseMigration, lint, type SqlCase } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

function rule(id: string): Rule {
  const found = RULES_BY_ID.get(id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
}

/** rule → severities of its findings for a case run with only that rule. */
function tiers(id: string, input: SqlCase | string): string[] {
  return lint(input, [rule(id)])
    .filter((f) => f.rule === id)
    .map((f) => f.severity);
}

const INDEX = "CREATE INDEX orders_status_idx ON orders (status);";
const tables = (orders: Record<string, unknown>) => ({ tables: { orders } });

describe("tiers: heavy work under a blocking lock on an existing table", () => {
  it("is an error on an existing table of unknown size, and nothing on a table created in the migration", () => {
    expect(tiers("require-concurrent-index", INDEX)).toEqual(["error"]);
    expect(tiers("require-concurrent-index", `CREATE TABLE orders (id bigint, status text);\n${INDEX}`)).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["large by rows", { rows: 40_000_000 }, "error"],
    ["large by flag", { large: true }, "error"],
    ["medium (between the thresholds)", { rows: 500_000 }, "error"],
    ["configured without rows", {}, "error"],
    ["small by rows (under smallTableRows)", { rows: 9_999 }, "warning"],
    ["small by flag, whatever its rows", { small: true, rows: 200_000 }, "warning"],
  ])("CREATE INDEX on a table %s", (_what, orders, tier) => {
    expect(tiers("require-concurrent-index", { sql: INDEX, config: tables(orders) })).toEqual([tier]);
  });

  it("follows smallTableRows when it is configured", () => {
    expect(tiers("require-concurrent-index", { sql: INDEX, config: { ...tables({ rows: 50_000 }), smallTableRows: 100_000 } })).toEqual(["warning"]);
    expect(tiers("require-concurrent-index", { sql: INDEX, config: { ...tables({ rows: 50_000 }), smallTableRows: 1_000 } })).toEqual(["error"]);
  });

  it("keeps the estimate in the message on a large table", () => {
    const [finding] = lint({ sql: INDEX, config: tables({ rows: 50_000_000 }) }, [rule("require-concurrent-index")]);
    expect(finding?.message).toContain("for about 50 s (50,000,000 rows)");
  });

  it.each<[string, string]>([
    ["require-not-valid-foreign-key", "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);"],
    ["require-not-valid-check", "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0);"],
    ["set-not-null-scan", "ALTER TABLE orders ALTER COLUMN status SET NOT NULL;"],
    ["rewriting-column-add", "ALTER TABLE orders ADD COLUMN seq bigserial;"],
    ["unsafe-column-type-change", "ALTER TABLE orders ALTER COLUMN id TYPE bigint;"],
    ["rewriting-storage-change", "ALTER TABLE orders SET LOGGED;"],
    ["volatile-default-rewrite", "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();"],
    ["ban-add-unique-constraint", "ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE (code);"],
    ["ban-add-primary-key", "ALTER TABLE orders ADD PRIMARY KEY (id);"],
    ["require-concurrent-reindex", "REINDEX TABLE orders;"],
    ["ban-vacuum-full", "VACUUM FULL orders;"],
  ])("%s: error on an existing table, warning when it is configured small", (id, sql) => {
    expect(tiers(id, sql)).toEqual(["error"]);
    expect(tiers(id, { sql, config: tables({ small: true }) })).toEqual(["warning"]);
  });

  it("validate-in-same-transaction: the lock the ADD took decides, although the VALIDATE itself takes only SHARE UPDATE EXCLUSIVE", () => {
    const sql =
      "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;";
    expect(tiers("validate-in-same-transaction", { sql, inTransaction: true })).toEqual(["error"]);
    expect(tiers("validate-in-same-transaction", { sql, inTransaction: true, config: tables({ rows: 100 }) })).toEqual(["warning"]);
  });

  it("a `rules:` setting beats the table policy", () => {
    expect(tiers("require-concurrent-index", { sql: INDEX, config: { rules: { "require-concurrent-index": "warning" } } })).toEqual(["warning"]);
  });
});

describe("tiers: the rest", () => {
  it("size-dependent risks under a weaker lock stay warnings, and become errors on a large table only", () => {
    const sql = "UPDATE orders SET status = 'new';";
    expect(tiers("unbatched-backfill", sql)).toEqual(["warning"]);
    expect(tiers("unbatched-backfill", { sql, config: tables({ rows: 40_000_000 }) })).toEqual(["error"]);
    expect(tiers("unbatched-backfill", { sql, config: tables({ small: true }) })).toEqual(["warning"]);
    expect(tiers("require-concurrent-index-drop", "DROP INDEX orders_status_idx;")).toEqual(["warning"]);
  });

  it("NOT NULL without a default on an existing table is an error, whatever its size", () => {
    const sql = "ALTER TABLE orders ADD COLUMN status text NOT NULL;";
    expect(tiers("add-required-column", sql)).toEqual(["error"]);
    expect(tiers("add-required-column", { sql, config: tables({ small: true }) })).toEqual(["error"]);
  });

  it("a down that drops what the up did not create is an error; one that leaves the up's column is a warning", () => {
    const findings = lint("ALTER TABLE orders ADD COLUMN status text;\n-- migrate:down\nALTER TABLE orders DROP COLUMN state;", [rule("rollback-mismatch")]);
    expect(findings.map((f) => [f.path.endsWith(".down.sql") ? "down" : "up", f.severity])).toEqual([
      ["down", "error"],
      ["up", "warning"],
    ]);
    expect(findings[0]?.message).toContain("which the up migration did not create");
  });

  it("a missing down is a warning; the compat bans and type preferences are policy", () => {
    expect(tiers("missing-rollback", { sql: "ALTER TABLE orders ADD COLUMN note text;", noDown: true })).toEqual(["warning"]);
    expect(tiers("ban-drop-column", "ALTER TABLE orders DROP COLUMN note;")).toEqual(["note"]);
    expect(tiers("ban-rename-column", "ALTER TABLE orders RENAME COLUMN note TO remark;")).toEqual(["note"]);
    expect(tiers("prefer-text", "CREATE TABLE t (name varchar(20));")).toEqual(["note"]);
  });

  it("require-lock-timeout warns only where the statement blocks traffic on an existing table", () => {
    expect(tiers("require-lock-timeout", "ALTER TABLE orders ADD COLUMN note text;")).toEqual(["warning"]);
    expect(tiers("require-lock-timeout", "CREATE TABLE t (id bigint);\nALTER TABLE t ADD COLUMN note text;")).toEqual([]);
    expect(tiers("require-lock-timeout", "CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);")).toEqual([]);
  });
});

describe("presets", () => {
  const prefer = "CREATE TABLE t (name varchar(20));";

  it("strict raises the policy rules to warning and leaves the others", () => {
    expect(tiers("prefer-text", { sql: prefer, config: { preset: "strict" } })).toEqual(["warning"]);
    expect(tiers("prefer-text", { sql: prefer, config: { preset: "recommended" } })).toEqual(["note"]);
    expect(tiers("require-concurrent-index", { sql: INDEX, config: { preset: "strict" } })).toEqual(["error"]);
    expect(tiers("missing-rollback", { sql: "ALTER TABLE orders ADD COLUMN note text;", noDown: true, config: { preset: "strict" } })).toEqual(["warning"]);
  });

  it("`rules:` beats the preset, and accepts policy as the note tier", () => {
    expect(tiers("prefer-text", { sql: prefer, config: { preset: "strict", rules: { "prefer-text": "policy" } } })).toEqual(["note"]);
    expect(tiers("prefer-text", { sql: prefer, config: { preset: "strict", rules: { "prefer-text": "off" } } })).toEqual([]);
    expect(tiers("prefer-text", { sql: prefer, config: { rules: { "prefer-text": "error" } } })).toEqual(["error"]);
  });

  it("presetSeverity gives each rule's tier per preset", () => {
    expect(presetSeverity(rule("ban-rename-table"), "recommended")).toBe("note");
    expect(presetSeverity(rule("ban-rename-table"), "strict")).toBe("warning");
    expect(presetSeverity(rule("require-not-valid-foreign-key"), "strict")).toBe("error");
    expect(presetSeverity(rule("empty-rollback"), "strict")).toBe("warning");
    // What the analyser could not read is no opinion to enforce.
    expect(presetSeverity(rule("templated-sql"), "strict")).toBe("note");
    const strict = RULES.filter((r) => presetSeverity(r, "strict") === "note").map((r) => r.id);
    expect(strict).toEqual(["templated-sql"]);
  });
});

describe("the configuration", () => {
  it("reads policy as note, defaults to the recommended preset and a small-table threshold of 10,000 rows", () => {
    const config = AnalysisConfigSchema.parse({ rules: { "prefer-text": "policy", "ban-char-type": "note" } });
    expect(config.rules).toEqual({ "prefer-text": "note", "ban-char-type": "note" });
    expect(config.preset).toBe("recommended");
    expect(config.smallTableRows).toBe(10_000);
  });

  it("takes policy and note for one rule under two names as the same setting", () => {
    // squawk's require-timeout-settings stands for both timeout rules.
    expect(() => AnalysisConfigSchema.parse({ rules: { "require-timeout-settings": "policy", "require-lock-timeout": "note" } })).not.toThrow();
    expect(() => AnalysisConfigSchema.parse({ rules: { "require-timeout-settings": "policy", "require-lock-timeout": "warning" } })).toThrow();
  });

  it("refuses a table both large and small, and an unknown preset", () => {
    expect(() => AnalysisConfigSchema.parse({ tables: { orders: { large: true, small: true } } })).toThrow(/both large and small/);
    expect(() => AnalysisConfigSchema.parse({ preset: "lenient" })).toThrow();
  });

  it("says which size it assumed for each table", () => {
    const config = AnalysisConfigSchema.parse({
      tables: { orders: { rows: 40_000_000 }, tags: { rows: 300 }, users: { rows: 50_000 }, audit: { large: true } },
    });
    expect(assumedTableSizes(config, ["orders", "tags", "users", "audit", "customers", "orders"])).toEqual([
      { table: "orders", size: "large", rows: 40_000_000, reason: "configured at 40,000,000 rows (large: 1,000,000 or more)" },
      { table: "tags", size: "small", rows: 300, reason: "configured at 300 rows (small: under 10,000)" },
      { table: "users", size: "medium", rows: 50_000, reason: "configured at 50,000 rows" },
      { table: "audit", size: "large", reason: "configured as large" },
      { table: "customers", size: "unknown", reason: "size not configured (`tables:`): heavy locks on it are errors" },
    ]);
  });
});

describe("the required check with the default configuration", () => {
  it("fails on an index built without CONCURRENTLY and a foreign key validated at once on existing tables, in a migration without a down", () => {
    const sql =
      "CREATE INDEX orders_customer_idx ON orders (customer_id);\nALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);\n";
    const { files, migration } = caseMigration({ sql, noDown: true });
    const { findings } = analyzeMigrations(files, [migration], { config: DEFAULT_REPO_CONFIG });
    const bySeverity = (severity: string) =>
      findings
        .filter((f) => f.severity === severity)
        .map((f) => f.rule)
        .sort();
    expect(bySeverity("error")).toEqual(["require-concurrent-index", "require-not-valid-foreign-key"]);
    expect(bySeverity("warning")).toContain("missing-rollback");
    const verdict = checkVerdict(findings, { failOn: DEFAULT_REPO_CONFIG.failOn, advisory: false, partial: false, migrations: 1 });
    expect(verdict.conclusion).toBe("failure");
    expect(verdict.summary).toContain("| Errors | Warnings | Policy |");
  });
});
