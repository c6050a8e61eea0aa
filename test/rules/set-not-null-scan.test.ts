import { beforeAll, describe, expect, it } from "vitest";
import rule from "../../src/rules/set-not-null-scan.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

beforeAll(() => loadSqlParser());

describe(rule.id, () => {
  it("flags SET NOT NULL on existing tables unless a validated check proves it", () => {
    testRule(rule, {
      valid: [
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_email_not_null;\nALTER TABLE orders ALTER COLUMN email SET NOT NULL;",
        "ALTER TABLE orders ADD CONSTRAINT orders_email_not_null CHECK (email IS NOT NULL);\nALTER TABLE orders ALTER COLUMN email SET NOT NULL;",
        "CREATE TABLE items (id bigint, name text);\nALTER TABLE items ALTER COLUMN name SET NOT NULL;",
        "ALTER TABLE orders ALTER COLUMN email DROP NOT NULL;",
        "-- migrate:down\nALTER TABLE orders ALTER COLUMN email SET NOT NULL;",
      ],
      invalid: [
        { sql: "ALTER TABLE orders ALTER COLUMN email SET NOT NULL;", lines: [1] },
        { sql: "SELECT 1;\nALTER TABLE orders\n  ALTER COLUMN email SET NOT NULL;", lines: [2] },
        // A validation on another table proves nothing here; nor does a check NOT VALID that is never validated.
        {
          sql: "ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\nALTER TABLE orders ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE orders ALTER COLUMN email SET NOT NULL;",
          lines: [3],
        },
        // The validation comes after: too late.
        { sql: "ALTER TABLE orders ALTER COLUMN email SET NOT NULL;\nALTER TABLE orders VALIDATE CONSTRAINT c;", lines: [1] },
      ],
    });
  });

  it("gives the check-then-validate recipe and an estimate on a configured table", () => {
    const [finding] = lint({ sql: "ALTER TABLE orders ALTER COLUMN email SET NOT NULL;", config: { tables: { orders: { rows: 50_000_000 } } } }, [rule]);
    expect(finding?.severity).toBe("error");
    expect(finding?.message).toContain("orders.email");
    expect(finding?.message).toContain("50,000,000 rows");
    expect(finding?.help).toContain("CHECK (email IS NOT NULL) NOT VALID");
  });
});
