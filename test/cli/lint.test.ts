import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { LintJson } from "../../src/report/lint-json.js";
import { runBuilt } from "../helpers/run-built.js";

const DEMO = "test/fixtures/lint-demo";

function lintJson(...args: string[]): { status: number | null; json: LintJson; stderr: string } {
  const ran = runBuilt("cli/main.js", ["lint", "--format", "json", ...args]);
  return { status: ran.status, json: JSON.parse(ran.stdout) as LintJson, stderr: ran.stderr };
}

const at = (json: LintJson, rule: string) => json.findings.filter((f) => f.rule === rule).map((f) => `${f.path}:${f.line}`);

describe("data-engineer lint on golang-migrate, dbmate, goose and Diesel migrations", () => {
  const { json, status } = lintJson("--details", DEMO);

  it("reports missing and empty downs", () => {
    expect(at(json, "missing-rollback")).toEqual([`${DEMO}/golang-migrate/000003_index_orders.up.sql:1`]);
    expect(at(json, "empty-rollback")).toEqual([
      expect.stringMatching(/^test\/fixtures\/lint-demo\/dbmate\/db\/migrations\/20260103000000_empty_down\.sql:\d+$/),
    ]);
  });

  it("reports CREATE INDEX without CONCURRENTLY on an existing table, not on a table the migration created", () => {
    expect(at(json, "require-concurrent-index")).toEqual([`${DEMO}/golang-migrate/000003_index_orders.up.sql:1`]);
  });

  it("reports a foreign key without NOT VALID, naming both tables and SHARE ROW EXCLUSIVE", () => {
    const fk = json.findings.filter((f) => f.rule === "require-not-valid-foreign-key");
    expect(fk.map((f) => f.path)).toEqual([`${DEMO}/dbmate/db/migrations/20260101000000_add_fk.sql`]);
    expect(fk[0]?.message).toMatch(/SHARE ROW EXCLUSIVE/);
    expect(fk[0]?.message).toContain("orders");
    expect(fk[0]?.message).toContain("accounts");
  });

  it("reports a volatile default as a rewrite, and not a constant default", () => {
    expect(at(json, "volatile-default-rewrite")).toEqual([`${DEMO}/goose/migrations/00001_add_status.sql:2`]);
  });

  it("does not treat a goose Down section that drops a table as forward DDL", () => {
    expect(json.findings.filter((f) => f.rule === "ban-drop-table")).toEqual([]);
  });

  it("is silent on the safe counterparts", () => {
    const safe = [
      "golang-migrate/000001_create_accounts",
      "golang-migrate/000002_orders",
      "dbmate/db/migrations/20260102000000_add_fk_safe.sql",
      "goose/migrations/00002_safe_status.sql",
      "diesel/migrations/2026-01-02-000000_index_items",
    ];
    const locking = json.findings.filter((f) => f.category === "locking" || f.category === "rollback");
    for (const path of safe) expect(locking.filter((f) => f.path.includes(path)).map((f) => `${f.rule} ${f.path}:${f.line}`)).toEqual([]);
  });

  it("prints statements only with --details: the same files, migrations and findings without them", () => {
    const { json: brief, status: briefStatus } = lintJson(DEMO);
    expect(briefStatus).toBe(status);
    expect(brief.findings).toEqual(json.findings);
    expect(brief.files.flatMap((f) => f.migrations).some((m) => "statements" in m)).toBe(false);
    const withoutStatements = json.files.map((f) => ({ ...f, migrations: f.migrations.map(({ statements: _statements, ...m }) => m) }));
    expect(brief.files).toEqual(withoutStatements);
  });

  it("writes the JSON contract: files with migrations, statements and locks; findings", () => {
    const up = json.files.find((f) => f.path === `${DEMO}/dbmate/db/migrations/20260101000000_add_fk.sql`);
    expect(up?.framework).toBe("dbmate");
    const upSection = up?.migrations.find((m) => m.direction === "up");
    expect(upSection).toMatchObject({ version: "20260101000000", inTransaction: true });
    const statement = upSection?.statements?.[0];
    expect(statement).toMatchObject({ sql: expect.stringContaining("FOREIGN KEY"), rewrites: false, scans: true });
    expect(statement?.locks).toEqual(
      expect.arrayContaining([
        { relation: "orders", mode: "ShareRowExclusiveLock" },
        expect.objectContaining({ relation: "accounts", mode: "ShareRowExclusiveLock" }),
      ]),
    );
    for (const finding of json.findings) {
      expect(Object.keys(finding)).toEqual(expect.arrayContaining(["rule", "severity", "path", "line", "endLine", "message", "help"]));
    }
    expect(status).toBe(json.findings.some((f) => f.severity === "error") ? 1 : 0);
  });
});

describe("data-engineer lint", () => {
  it("exits 1 when an error-severity finding exists, and prints text by default", () => {
    const dir = mkdtempSync(join(tmpdir(), "de-lint-"));
    writeFileSync(join(dir, "001_bad.sql"), "CREATE TABLE a (id int;\n");
    const ran = runBuilt("cli/main.js", ["lint", "001_bad.sql"], { cwd: dir });
    expect(ran.status).toBe(1);
    expect(ran.stdout).toContain("001_bad.sql:1: error [syntax-error]");
  });

  it("writes SARIF 2.1.0", () => {
    const ran = runBuilt("cli/main.js", ["lint", "--format", "sarif", `${DEMO}/golang-migrate`]);
    const sarif = JSON.parse(ran.stdout) as {
      version: string;
      runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; locations: unknown[] }> }>;
    };
    expect(sarif.version).toBe("2.1.0");
    const run = sarif.runs[0];
    expect(run?.results.map((r) => r.ruleId)).toContain("require-concurrent-index");
    expect(run?.tool.driver.rules.map((r) => r.id)).toContain("require-concurrent-index");
  });

  it("locates SARIF results relative to the repository root, wherever lint runs", () => {
    const repo = mkdtempSync(join(tmpdir(), "de-lint-repo-"));
    mkdirSync(join(repo, ".git"));
    mkdirSync(join(repo, "db", "my migrations"), { recursive: true });
    writeFileSync(join(repo, "db", "my migrations", "001_index.sql"), "CREATE INDEX orders_idx ON orders (id);\n");
    const ran = runBuilt("cli/main.js", ["lint", "--format", "sarif", "my migrations"], { cwd: join(repo, "db") });
    const sarif = JSON.parse(ran.stdout) as {
      runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }>;
    };
    const uris = sarif.runs[0]?.results.map((r) => r.locations[0]?.physicalLocation.artifactLocation.uri);
    expect(uris).toContain("db/my%20migrations/001_index.sql");
  });

  it("applies --config (rule severities, table sizes) and names a bad key", () => {
    const dir = mkdtempSync(join(tmpdir(), "de-lint-"));
    writeFileSync(join(dir, "ok.yml"), "rules:\n  require-concurrent-index: error\n");
    writeFileSync(join(dir, "bad.yml"), "rule:\n  x: off\n");
    const strict = runBuilt("cli/main.js", ["lint", "--config", join(dir, "ok.yml"), `${DEMO}/golang-migrate`]);
    expect(strict.status).toBe(1);
    const bad = runBuilt("cli/main.js", ["lint", "--config", join(dir, "bad.yml"), DEMO]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown key "rule"');
  });

  it("exits 2 on usage errors", () => {
    expect(runBuilt("cli/main.js", ["lint", "--format", "xml"]).status).toBe(2);
    expect(runBuilt("cli/main.js", ["lint", "no/such/dir"]).status).toBe(2);
    expect(runBuilt("cli/main.js", ["lint", "--pg-version", "9"]).status).toBe(2);
  });

  it("lints one file with its down file found beside it", () => {
    const { json } = lintJson(`${DEMO}/golang-migrate/000002_orders.up.sql`);
    expect(json.files.map((f) => f.path)).toEqual([`${DEMO}/golang-migrate/000002_orders.down.sql`, `${DEMO}/golang-migrate/000002_orders.up.sql`]);
    expect(at(json, "missing-rollback")).toEqual([]);
  });
});
