import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lint } from "../../src/cli/commands/lint.js";
import type { CliIo } from "../../src/cli/io.js";
import type { LintJson } from "../../src/report/lint-json.js";

/**
 * `lint` on a repository that supports several databases (ory/pop's `x.<dialect>.up.sql`, Flyway's
 * vendor folders) and on templated SQL (Go, Jinja, Flyway placeholders, psql variables): only
 * PostgreSQL is analysed, the rest is listed as skipped with why; templates are analysed at
 * their real lines and never reported as syntax errors.
 */

const ROOT = resolve(import.meta.dirname, "../..");
const POP = "test/fixtures/dialects/pop";
const FLYWAY = "test/fixtures/dialects/flyway/db/migration";
const TEMPLATES = "test/fixtures/templates";
const scratch = mkdtempSync(join(tmpdir(), "de-lint-dialects-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function lintJson(...args: string[]): Promise<LintJson> {
  let out = "";
  const io: CliIo = { out: (text) => void (out += text), err: () => undefined, cwd: ROOT, env: {} };
  await lint(["--format", "json", ...args], io);
  return JSON.parse(out) as LintJson;
}

const at = (json: LintJson, rule: string) => json.findings.filter((f) => f.rule === rule).map((f) => `${f.path}:${f.line}`);

describe("files of other SQL dialects", () => {
  it("analyses only the PostgreSQL and dialect-less pop files, and lists the others with why", async () => {
    const json = await lintJson(POP);
    expect(new Set(json.findings.map((f) => f.path))).toEqual(new Set([`${POP}/20240102000000_accounts_email.postgres.up.sql`]));
    expect(at(json, "require-concurrent-index")).toEqual([`${POP}/20240102000000_accounts_email.postgres.up.sql:2`]);
    expect(at(json, "syntax-error")).toEqual([]);
    const skipped = new Map(json.skipped.map((s) => [s.path.slice(POP.length + 1), s.reason]));
    expect([...skipped.keys()].sort()).toEqual(
      ["cockroach.down", "cockroach.up", "mariadb.up", "mssql.up", "mysql.down", "mysql.up", "sqlite.up", "sqlite3.down", "sqlite3.up"].map(
        (infix) => `20240102000000_accounts_email.${infix}.sql`,
      ),
    );
    expect(skipped.get("20240102000000_accounts_email.mysql.up.sql")).toBe(
      "MySQL migration (file name says .mysql.): not reviewed, data-engineer reads PostgreSQL",
    );
    expect(skipped.get("20240102000000_accounts_email.cockroach.up.sql")).toMatch(/^CockroachDB migration .*PostgreSQL's lock advice does not apply$/);
    expect(json.files.map((f) => f.path)).not.toContain(`${POP}/20240102000000_accounts_email.mysql.up.sql`);
  });

  it("leaves out a Flyway vendor folder named after its database", async () => {
    const json = await lintJson(FLYWAY);
    expect(at(json, "require-concurrent-index")).toEqual([`${FLYWAY}/postgresql/V2__orders_status.sql:1`]);
    expect(json.findings.filter((f) => f.path.includes("/mysql/"))).toEqual([]);
    expect(json.skipped.map((s) => s.path)).toEqual([`${FLYWAY}/mysql/V1__orders.sql`, `${FLYWAY}/mysql/V2__orders_status.sql`]);
    expect(json.skipped[0]?.reason).toBe(`MySQL migration (folder ${FLYWAY}/mysql/ says mysql): not reviewed, data-engineer reads PostgreSQL`);
  });

  it("follows the configuration's dialects over the path", async () => {
    const config = join(scratch, "cockroach-as-postgres.yml");
    writeFileSync(config, `dialects:\n  "${POP}/*.cockroach.*.sql": postgres\n  "${FLYWAY}/postgresql/**": mysql\n`);
    const pop = await lintJson("--config", config, POP);
    expect(at(pop, "require-concurrent-index").sort()).toEqual([
      `${POP}/20240102000000_accounts_email.cockroach.up.sql:1`,
      `${POP}/20240102000000_accounts_email.postgres.up.sql:2`,
    ]);
    expect(pop.skipped.map((s) => s.path)).not.toContain(`${POP}/20240102000000_accounts_email.cockroach.up.sql`);
    const flyway = await lintJson("--config", config, FLYWAY);
    expect(flyway.findings).toEqual([]);
    expect(flyway.skipped.find((s) => s.path.endsWith("postgresql/V2__orders_status.sql"))?.reason).toBe(
      `MySQL migration (configured: dialects "${FLYWAY}/postgresql/**"): not reviewed, data-engineer reads PostgreSQL`,
    );
  });
});

describe("templated SQL", () => {
  it("analyses Go, Jinja, Flyway and psql templates at their real lines, with no syntax error", async () => {
    const json = await lintJson(TEMPLATES);
    expect(at(json, "syntax-error")).toEqual([]);
    expect(at(json, "require-concurrent-index")).toEqual([
      `${TEMPLATES}/flyway/db/migration/V2__orders_status.sql:3`,
      `${TEMPLATES}/go/000002_identities_nid.up.sql:2`,
      `${TEMPLATES}/jinja/db/migrations/20240102000000_orders_status.sql:3`,
    ]);
    expect(at(json, "require-not-valid-foreign-key")).toEqual([`${TEMPLATES}/psql/db/migrations/20240102000000_orders_fk.sql:2`]);
  });

  it("gives one templated-sql note per file for the statements that do not parse even masked", async () => {
    const json = await lintJson(TEMPLATES);
    const notes = json.findings.filter((f) => f.rule === "templated-sql");
    expect(notes.map((f) => [f.path, f.line, f.severity])).toEqual([[`${TEMPLATES}/go/000003_generated.up.sql`, 1, "note"]]);
    expect(notes[0]?.message).toContain("2 statements");
  });

  it("quotes the file's own text, never the placeholder", async () => {
    const json = await lintJson("--details", TEMPLATES);
    expect(json.findings.map((f) => `${f.message} ${f.help ?? ""} ${f.fix?.replacement ?? ""}`).join("\n")).not.toContain("_tpl");
    // Statements and their locks too: the lock is on {{ index .Options "Namespace" }}.identities.
    expect(JSON.stringify(json.files)).not.toContain("_tpl");
    const index = json.files.find((f) => f.path.endsWith("000002_identities_nid.up.sql"))?.migrations[0]?.statements?.[0];
    expect(index?.locks).toContainEqual(expect.objectContaining({ relation: "identities", schema: '{{ index .Options "Namespace" }}' }));
  });
});
