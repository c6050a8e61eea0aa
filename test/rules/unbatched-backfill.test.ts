import { describe, expect, it } from "vitest";
import rule from "../../src/rules/unbatched-backfill.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

describe(rule.id, () => {
  it("flags UPDATE and DELETE of a whole existing table", () => {
    testRule(rule, {
      valid: [
        "UPDATE orders SET status = 'new' WHERE id BETWEEN 1 AND 10000;",
        "DELETE FROM sessions WHERE expires_at < now();",
        "CREATE TABLE items (id bigint, status text);\nINSERT INTO items VALUES (1, NULL);\nUPDATE items SET status = 'new';",
        "INSERT INTO orders (id) VALUES (1);",
        "-- migrate:down\nUPDATE orders SET status = NULL;",
      ],
      invalid: [
        { sql: "UPDATE orders SET status = 'new';", lines: [1] },
        { sql: "SELECT 1;\nDELETE FROM public.sessions;", lines: [2] },
        { sql: "UPDATE orders SET status = 'new';", inTransaction: true, lines: [1] },
      ],
    });
  });

  it("is an error with an estimate on a configured large table", () => {
    const [finding] = lint({ sql: "UPDATE orders SET status = 'new';", config: { tables: { orders: { rows: 50_000_000 } } } }, [rule]);
    expect(finding?.severity).toBe("error");
    expect(finding?.message).toContain("50,000,000 rows");
  });

  // Needs the lock model: ALTER TABLE … ADD COLUMN takes ACCESS EXCLUSIVE, held until COMMIT.
  it("flags any backfill in a transaction that holds ACCESS EXCLUSIVE", () => {
    testRule(rule, {
      valid: ["ALTER TABLE orders ADD COLUMN status text;\nUPDATE orders SET status = 'new' WHERE id < 1000;"],
      invalid: [
        { sql: "ALTER TABLE orders ADD COLUMN status text;\nUPDATE orders SET status = 'new' WHERE id < 1000;", inTransaction: true, lines: [2] },
        { sql: "BEGIN;\nALTER TABLE orders ADD COLUMN status text;\nDELETE FROM sessions WHERE id < 10;\nCOMMIT;", lines: [3] },
      ],
    });
    const [finding] = lint({ sql: "ALTER TABLE orders ADD COLUMN status text;\nUPDATE orders SET status = 'new' WHERE id < 1000;", inTransaction: true }, [
      rule,
    ]);
    expect(finding?.message).toContain("ACCESS EXCLUSIVE");
  });
});
