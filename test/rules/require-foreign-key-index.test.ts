import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import rule from "../../src/rules/require-foreign-key-index.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags a foreign key of a new table that no index leads with", () => {
    testRule(rule, {
      valid: [
        // The index comes after the table, in the same migration.
        "CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));\nCREATE INDEX items_order_idx ON items (order_id);",
        // Before the constraint that needs it.
        "CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint);\nCREATE INDEX ON items (order_id, id);\nALTER TABLE items ADD CONSTRAINT items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id);",
        // The primary key leads with the key's columns, in another order.
        "CREATE TABLE tags (item_id bigint REFERENCES items, tag_id bigint REFERENCES tag_names, PRIMARY KEY (tag_id, item_id), UNIQUE (item_id, tag_id));",
        // A unique constraint on the column itself.
        "CREATE TABLE profiles (user_id bigint UNIQUE REFERENCES users (id));",
        // A partial index on "key IS NOT NULL" serves every lookup (the lookup's key = $1 implies it).
        "ALTER TABLE notes ADD COLUMN ban_id int REFERENCES bans ON DELETE CASCADE;\nCREATE INDEX notes_ban_idx ON notes (ban_id) WHERE ban_id IS NOT NULL;",
        // An existing table and an existing column: its indexes are in earlier migrations, not in view.
        "ALTER TABLE items ADD CONSTRAINT items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id);",
        // The down is not checked.
        "SELECT 1;\n-- migrate:down\nCREATE TABLE items (id bigint, order_id bigint REFERENCES orders);",
      ],
      invalid: [
        { sql: "CREATE TABLE items (\n  id bigint PRIMARY KEY,\n  order_id bigint REFERENCES orders (id)\n);", lines: [1] },
        // An index that only contains the column further in does not lead with it.
        { sql: "CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders);\nCREATE INDEX ON items (id, order_id);", lines: [1] },
        // Another partial index does not serve every lookup; an expression index leads with no column.
        {
          sql: "CREATE TABLE items (id bigint, order_id bigint, CONSTRAINT items_fk FOREIGN KEY (order_id) REFERENCES orders);\nCREATE INDEX ON items (order_id) WHERE id > 0;\nCREATE INDEX ON items (order_id) WHERE order_id IS NOT NULL AND id IS NOT NULL;\nCREATE INDEX ON items ((order_id + 0));",
          lines: [1],
        },
        // A column added to an existing table: no earlier migration can have indexed it.
        { sql: "ALTER TABLE items ADD COLUMN shop_id bigint REFERENCES shops (id);", lines: [1] },
        {
          sql: "ALTER TABLE items ADD COLUMN shop_id bigint;\n\nALTER TABLE items ADD CONSTRAINT items_shop_fk FOREIGN KEY (shop_id) REFERENCES shops;",
          lines: [3],
        },
        // Composite key: an index on one of its columns does not lead with both.
        { sql: "CREATE TABLE lines (a int, b int, FOREIGN KEY (a, b) REFERENCES pairs (a, b));\nCREATE INDEX ON lines (b);", lines: [1] },
      ],
    });
  });

  it("names the table, the columns, the constraint and the referenced table, and builds the index concurrently on an existing table", () => {
    const [created] = lint("CREATE TABLE items (id bigint, order_id bigint REFERENCES orders (id));", [rule]);
    expect(created?.message).toContain("No index on items leads with (order_id), the columns of foreign key items_order_id_fkey");
    expect(created?.message).toContain("each row deleted from orders");
    expect(created?.help).toContain("CREATE INDEX ON items (order_id);");
    const [added] = lint("ALTER TABLE items ADD COLUMN shop_id bigint CONSTRAINT items_shop_fk REFERENCES shops;", [rule]);
    expect(added?.message).toContain("foreign key items_shop_fk");
    expect(added?.help).toContain("CREATE INDEX CONCURRENTLY ON items (shop_id);");
    expect(added?.severity).toBe("note");
  });
});

describe("in Postgres (PGlite)", () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create();
    await db.exec(`
      CREATE TABLE parents (id int PRIMARY KEY);
      CREATE TABLE children (id int PRIMARY KEY, parent_id int REFERENCES parents (id));
      INSERT INTO parents SELECT g FROM generate_series(1, 5000) g;
      INSERT INTO children SELECT g, g FROM generate_series(1, 5000) g;
      ANALYZE parents; ANALYZE children;`);
  }, 60_000);
  afterAll(() => db.close());

  /** Sequential scans of children, and index scans of an index on it, while deleting 10 parents (rolled back). */
  async function deleteTenParents(index?: string): Promise<{ seqScans: number; indexScans: number }> {
    const counts = `SELECT pg_stat_get_xact_numscans('children'::regclass)::int AS seq${index ? `, pg_stat_get_xact_numscans('${index}'::regclass)::int AS idx` : ""}`;
    await db.exec("BEGIN");
    // The children go first so that the parents can be deleted; their own delete uses children's primary key.
    await db.exec("DELETE FROM children WHERE id <= 10");
    const before = (await db.query<{ seq: number; idx?: number }>(counts)).rows[0];
    await db.exec("DELETE FROM parents WHERE id <= 10");
    const after = (await db.query<{ seq: number; idx?: number }>(counts)).rows[0];
    await db.exec("ROLLBACK");
    return { seqScans: (after?.seq ?? 0) - (before?.seq ?? 0), indexScans: (after?.idx ?? 0) - (before?.idx ?? 0) };
  }

  it("scans the whole referencing table once per deleted referenced row without an index, and not with one (a partial one on key IS NOT NULL too)", async () => {
    expect(await deleteTenParents()).toEqual({ seqScans: 10, indexScans: 0 });
    await db.exec("CREATE INDEX children_parent_partial_idx ON children (parent_id) WHERE parent_id IS NOT NULL");
    expect(await deleteTenParents("children_parent_partial_idx")).toEqual({ seqScans: 0, indexScans: 10 });
    await db.exec("DROP INDEX children_parent_partial_idx; CREATE INDEX children_parent_idx ON children (parent_id)");
    expect(await deleteTenParents("children_parent_idx")).toEqual({ seqScans: 0, indexScans: 10 });
  });
});
