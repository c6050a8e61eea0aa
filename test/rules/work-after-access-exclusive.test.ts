import { describe, expect, it } from "vitest";
import rule from "../../src/rules/work-after-access-exclusive.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

// These cases rely on the lock model (src/sql/locks.ts): which statements take ACCESS EXCLUSIVE,
// and which scan or rewrite.
describe(rule.id, () => {
  it("flags slow work in a transaction that holds ACCESS EXCLUSIVE on an existing table", () => {
    testRule(rule, {
      valid: [
        "ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);",
        "BEGIN;\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\nINSERT INTO orders_archive SELECT * FROM orders;",
        {
          sql: "ALTER TABLE orders ADD COLUMN note text;\nCOMMENT ON COLUMN orders.note IS 'free text';\nSET LOCAL statement_timeout = '1s';",
          inTransaction: true,
        },
        { sql: "CREATE TABLE items (id bigint);\nALTER TABLE items ADD COLUMN name text;\nINSERT INTO items SELECT 1, 'x';", inTransaction: true },
        // Its own ACCESS EXCLUSIVE closes the table anyway; VALIDATE under the lock is validate-in-same-transaction's.
        { sql: "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders ALTER COLUMN qty TYPE bigint;", inTransaction: true },
        { sql: "ALTER TABLE orders ADD CHECK (qty > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_qty_check;", inTransaction: true },
        { sql: "SELECT 1;\n-- migrate:down\nALTER TABLE orders DROP COLUMN note;\nINSERT INTO orders_archive SELECT * FROM orders;", inTransaction: true },
      ],
      invalid: [
        { sql: "ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note_idx ON orders (note);", inTransaction: true, lines: [2] },
        { sql: "BEGIN;\nALTER TABLE orders RENAME COLUMN a TO b;\nINSERT INTO orders_archive SELECT * FROM orders;\nCOMMIT;", lines: [3] },
        { sql: "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE accounts ALTER COLUMN id TYPE bigint;", inTransaction: true, lines: [2] },
      ],
    });
  });

  it("names the table whose lock is held", () => {
    const [finding] = lint({ sql: "ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX i ON orders (note);", inTransaction: true }, [rule]);
    expect(finding?.message).toContain("ACCESS EXCLUSIVE lock an earlier statement took on orders");
  });

  it("counts reads of a table as slow, and rows the statement lists itself as quick", () => {
    const held = "ALTER TABLE local_user RENAME COLUMN lang TO interface_language;\n";
    testRule(rule, {
      valid: [
        // lemmy's language-tags migration: 184 single-row INSERTs into a new table under a held lock.
        {
          sql: `CREATE TABLE language (id serial PRIMARY KEY, code text);\n${held}INSERT INTO language (code) VALUES ('aa');\nINSERT INTO language (code) VALUES ('ab'), ('ae');`,
          inTransaction: true,
        },
        { sql: `${held}INSERT INTO local_user (id, name) VALUES (1, 'admin') ON CONFLICT DO NOTHING;`, inTransaction: true },
        { sql: `${held}SELECT setval('local_user_id_seq', 100);\nSELECT 1;`, inTransaction: true },
        // UPDATE and DELETE under the lock are unbatched-backfill's findings.
        { sql: `${held}UPDATE local_user SET interface_language = 'en';\nDELETE FROM local_user WHERE id = 1;`, inTransaction: true },
        { sql: `${held}CREATE TABLE snapshot AS SELECT * FROM local_user WITH NO DATA;`, inTransaction: true },
      ],
      invalid: [
        { sql: `${held}SELECT count(*) FROM local_user;`, inTransaction: true, lines: [2] },
        { sql: `${held}SELECT setval('person_id_seq', (SELECT max(id) FROM person));`, inTransaction: true, lines: [2] },
        { sql: `${held}INSERT INTO local_user_language (local_user_id, language_id) SELECT id, 0 FROM local_user;`, inTransaction: true, lines: [2] },
        { sql: `${held}INSERT INTO audit (n) VALUES ((SELECT count(*) FROM local_user));`, inTransaction: true, lines: [2] },
        { sql: `${held}CREATE TABLE snapshot AS SELECT * FROM local_user;`, inTransaction: true, lines: [2] },
        { sql: `${held}MERGE INTO person p USING local_user u ON p.id = u.person_id WHEN MATCHED THEN DO NOTHING;`, inTransaction: true, lines: [2] },
      ],
    });
  });

  it("names the kind of work", () => {
    const [query] = lint({ sql: "ALTER TABLE orders RENAME COLUMN a TO b;\nSELECT count(*) FROM orders;", inTransaction: true }, [rule]);
    expect(query?.message).toContain("This query runs while");
    const [copy] = lint({ sql: "ALTER TABLE orders RENAME COLUMN a TO b;\nINSERT INTO archive SELECT * FROM orders;", inTransaction: true }, [rule]);
    expect(copy?.message).toContain("This INSERT … SELECT runs while");
  });
});
