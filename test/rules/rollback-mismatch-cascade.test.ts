import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectMigrations } from "../../src/migrations/detect.js";
import { analyzeMigrations } from "../../src/rules/engine.js";
import rule from "../../src/rules/rollback-mismatch.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

/**
 * What DROP … CASCADE takes along and what a down renames aside, as rollback-mismatch reads them,
 * and the Postgres facts behind it, checked in PGlite (Postgres 18).
 */

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

const VIEW_AND_MATVIEW = [
  "CREATE VIEW order_totals AS SELECT id, total FROM orders;",
  "CREATE MATERIALIZED VIEW order_totals_m AS SELECT * FROM order_totals;",
  "CREATE UNIQUE INDEX order_totals_m_id ON order_totals_m (id);",
];

describe("rollback-mismatch and DROP … CASCADE", () => {
  it("counts what CASCADE drops with a view or a function as dropped", () => {
    testRule(rule, {
      valid: [
        // The materialized view reads the view, the index is on the materialized view.
        `${VIEW_AND_MATVIEW.join("\n")}\n-- migrate:down\nDROP VIEW order_totals CASCADE;`,
        // The trigger runs the function.
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\nCREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();\n-- migrate:down\nDROP FUNCTION touch() CASCADE;",
      ],
      invalid: [
        // Without CASCADE nothing else goes (and Postgres refuses the DROP VIEW while the materialized view depends on it).
        { sql: `${VIEW_AND_MATVIEW.join("\n")}\n-- migrate:down\nDROP VIEW order_totals;`, lines: [2, 3] },
      ],
    });
  });

  it("follows dependencies created by earlier migrations", () => {
    const files = [
      { path: "db/migrations/0001_views.up.sql", text: VIEW_AND_MATVIEW.slice(0, 2).join("\n") },
      { path: "db/migrations/0001_views.down.sql", text: "DROP MATERIALIZED VIEW order_totals_m;\nDROP VIEW order_totals;" },
      { path: "db/migrations/0002_index.up.sql", text: "CREATE UNIQUE INDEX order_totals_m_id ON order_totals_m (id);" },
      {
        path: "db/migrations/0002_index.down.sql",
        text: "DROP VIEW order_totals CASCADE;\nCREATE VIEW order_totals AS SELECT id, total FROM orders;\nCREATE MATERIALIZED VIEW order_totals_m AS SELECT * FROM order_totals;",
      },
    ];
    const migrations = detectMigrations(files);
    const findings = analyzeMigrations(files, migrations, { rules: [rule] }).findings.filter((f) => f.rule === rule.id);
    expect(findings.map((f) => `${f.path}:${f.line} ${f.message}`)).toEqual([]);
  });

  it("tells to drop a materialized view with DROP MATERIALIZED VIEW", () => {
    const findings = lint("CREATE MATERIALIZED VIEW totals_m AS SELECT 1 AS one;\n-- migrate:down\nSELECT 1;", [rule]);
    expect(findings.map((f) => f.message)).toEqual([expect.stringContaining("materialized view totals_m")]);
    expect(findings[0]?.help).toContain("DROP MATERIALIZED VIEW IF EXISTS totals_m;");
  });
});

describe("rollback-mismatch and names set aside by a rename", () => {
  const ENUM_DANCE = (values: string) =>
    `ALTER TYPE mood RENAME TO mood__;\nCREATE TYPE mood AS ENUM (${values});\nALTER TABLE people ALTER COLUMN mood TYPE mood USING mood::text::mood;\nDROP TYPE mood__;`;

  it("accepts a down that builds the old name anew instead of renaming back", () => {
    testRule(rule, {
      valid: [
        "ALTER TABLE replies RENAME TO notifications;\nALTER INDEX replies_at RENAME TO notifications_at;\n-- migrate:down\nCREATE TABLE replies (id bigint);\nCREATE INDEX replies_at ON replies (id);",
        "ALTER TABLE people RENAME COLUMN shared_inbox TO inbox;\n-- migrate:down\nALTER TABLE people ADD COLUMN shared_inbox text;",
      ],
      invalid: [
        { sql: "ALTER TABLE replies RENAME TO notifications;\n-- migrate:down\nCREATE TABLE other (id bigint);", lines: [1] },
        // Dropping the renamed table loses the rows it had before the migration: still reported.
        { sql: "ALTER TABLE replies RENAME TO notifications;\n-- migrate:down\nCREATE TABLE replies (id bigint);\nDROP TABLE notifications;", lines: [2] },
      ],
    });
  });

  it("accepts the enum dance in the up and in the down", () => {
    testRule(rule, {
      valid: [
        `ALTER TYPE mood ADD VALUE 'meh';\n-- migrate:down\n${ENUM_DANCE("'ok', 'sad'")}`,
        `${ENUM_DANCE("'ok'")}\n-- migrate:down\n${ENUM_DANCE("'ok', 'sad'")}`,
      ],
      invalid: [
        // Dropping a type that neither the up nor the down created is still reported.
        { sql: "ALTER TYPE mood ADD VALUE 'meh';\n-- migrate:down\nDROP TYPE mood__;", lines: [1] },
      ],
    });
  });
});

describe("the Postgres facts these rest on (PGlite)", () => {
  let db: PGlite;
  // Starting Postgres in WASM takes seconds on a loaded machine: the hook may wait for it.
  beforeAll(async () => {
    db = await PGlite.create();
  }, 120_000);
  afterAll(async () => {
    await db.close();
  });

  const relations = async (names: string[]) =>
    (await db.query<{ relname: string }>("SELECT relname FROM pg_class WHERE relname = ANY($1) ORDER BY relname", [names])).rows.map((r) => r.relname);

  it("DROP VIEW refuses a materialized view and one with dependents; CASCADE drops the materialized view and its index", async () => {
    await db.exec(`CREATE TABLE orders (id int PRIMARY KEY, total int);\n${VIEW_AND_MATVIEW.join("\n")}`);
    await expect(db.exec("DROP VIEW order_totals_m")).rejects.toThrow(/is not a view/);
    await expect(db.exec("DROP VIEW order_totals")).rejects.toThrow(/depend/);
    await db.exec("DROP VIEW order_totals CASCADE");
    expect(await relations(["order_totals", "order_totals_m", "order_totals_m_id"])).toEqual([]);
    await db.exec("DROP TABLE orders");
  });

  it("DROP FUNCTION … CASCADE drops the triggers that run it", async () => {
    await db.exec(
      "CREATE TABLE orders (id int);\nCREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\nCREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();",
    );
    await db.exec("DROP FUNCTION touch() CASCADE");
    expect((await db.query("SELECT tgname FROM pg_trigger WHERE tgname = 'orders_touch'")).rows).toEqual([]);
    await db.exec("DROP TABLE orders");
  });

  it("the enum dance leaves one type of the old name and none set aside", async () => {
    await db.exec("CREATE TYPE mood AS ENUM ('ok');\nCREATE TABLE people (mood mood);");
    await db.exec(
      "ALTER TYPE mood RENAME TO mood__;\nCREATE TYPE mood AS ENUM ('ok', 'sad');\nALTER TABLE people ALTER COLUMN mood TYPE mood USING mood::text::mood;\nDROP TYPE mood__;",
    );
    const types = (await db.query<{ typname: string }>("SELECT typname FROM pg_type WHERE typname IN ('mood', 'mood__')")).rows.map((r) => r.typname);
    expect(types).toEqual(["mood"]);
  });
});
