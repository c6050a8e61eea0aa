import { describe, expect, it } from "vitest";
import rule from "../../src/rules/validate-in-same-transaction.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { lint, testRule } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

const ADD = "ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;";
const VALIDATE = "ALTER TABLE orders VALIDATE CONSTRAINT orders_account_fk;";

describe(rule.id, () => {
  it("flags VALIDATE in the transaction that added the constraint NOT VALID", () => {
    testRule(rule, {
      valid: [
        `${ADD}\n${VALIDATE}`,
        `BEGIN;\n${ADD}\nCOMMIT;\nBEGIN;\n${VALIDATE}\nCOMMIT;`,
        { sql: VALIDATE, inTransaction: true },
        { sql: `${ADD}\nALTER TABLE orders VALIDATE CONSTRAINT other_check;`, inTransaction: true },
        { sql: `SELECT 1;\n-- migrate:down\n${ADD}\n${VALIDATE}`, inTransaction: true },
      ],
      invalid: [
        { sql: `${ADD}\n${VALIDATE}`, inTransaction: true, lines: [2] },
        { sql: `BEGIN;\n${ADD}\nSELECT 1;\n${VALIDATE}\nCOMMIT;`, lines: [4] },
        {
          sql: "BEGIN;\nALTER TABLE orders ADD CHECK (total >= 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;\nCOMMIT;",
          lines: [3],
        },
      ],
    });
  });

  it("names the lock still held", () => {
    const [fk] = lint({ sql: `${ADD}\n${VALIDATE}`, inTransaction: true }, [rule]);
    expect(fk?.message).toContain("SHARE ROW EXCLUSIVE");
    expect(fk?.message).toContain("line 1");
  });

  // Needs the lock model: ALTER TABLE … ADD COLUMN takes ACCESS EXCLUSIVE, held until COMMIT.
  it("flags VALIDATE while the table's ACCESS EXCLUSIVE lock is held", () => {
    testRule(rule, {
      valid: ["ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;"],
      invalid: [
        { sql: "ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;", inTransaction: true, lines: [2] },
      ],
    });
  });
});
