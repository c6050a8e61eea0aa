import { describe, expect, it } from "vitest";
import banVacuumFull from "../../src/rules/ban-vacuum-full.js";
import concurrentlyInTransaction from "../../src/rules/concurrently-in-transaction.js";
import requireConcurrentReindex from "../../src/rules/require-concurrent-reindex.js";
import { statementLocks } from "../../src/sql/locks.js";
import { bodyOf } from "../../src/sql/nodes.js";
import { defGetBoolean, optionOn } from "../../src/sql/options.js";
import { loadSqlParser, parseSql, type SqlStatement } from "../../src/sql/parse.js";
import { SourceText } from "../../src/sql/source-text.js";
import { lint } from "../helpers/rule-tester.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

function statement(sql: string): SqlStatement {
  const [parsed] = parseSql(new SourceText("t.sql", sql)).statements;
  if (!parsed) throw new Error(`no statement in ${sql}`);
  return parsed;
}

function vacuumFull(sql: string): boolean {
  const vacuum = bodyOf(statement(sql).node, "VacuumStmt");
  return optionOn(vacuum?.options, "full");
}

describe("options read as Postgres's defGetBoolean reads them", () => {
  it("reads a bare option, 1, true and on as on; 0, false and off as off; in any case", () => {
    const on = [
      "VACUUM (FULL) orders",
      "VACUUM (FULL 1) orders",
      "VACUUM (FULL true) orders",
      "VACUUM (FULL on) orders",
      "VACUUM (FULL TRUE) orders",
      "VACUUM FULL orders",
    ];
    const off = [
      "VACUUM (FULL 0) orders",
      "VACUUM (FULL false) orders",
      "VACUUM (FULL off) orders",
      "VACUUM (FULL FALSE) orders",
      "VACUUM orders",
      "VACUUM (ANALYZE) orders",
    ];
    expect(on.filter((sql) => !vacuumFull(sql))).toEqual([]);
    expect(off.filter((sql) => vacuumFull(sql))).toEqual([]);
  });

  it("gives no value for what Postgres refuses (FULL 2, FULL yes), and such an option is not on", () => {
    for (const sql of ["VACUUM (FULL 2) orders", "VACUUM (FULL yes) orders"]) {
      const option = bodyOf(statement(sql).node, "VacuumStmt")
        ?.options?.map((o) => bodyOf(o, "DefElem"))
        .find((d) => d?.defname === "full");
      expect(option && defGetBoolean(option)).toBeUndefined();
      expect(vacuumFull(sql)).toBe(false);
    }
  });
});

describe("the lock model and the rules agree on VACUUM FULL and REINDEX CONCURRENTLY", () => {
  const cases: Array<[string, boolean]> = [
    ["VACUUM (FULL 0) orders;", false],
    ["VACUUM (FULL true) orders;", true],
    ["VACUUM (FULL) orders;", true],
    ["VACUUM (FULL false) orders;", false],
  ];
  for (const [sql, full] of cases) {
    it(`${sql} is ${full ? "" : "not "}a rewrite under ACCESS EXCLUSIVE for both`, () => {
      const locks = statementLocks(statement(sql));
      expect(locks.locks.map((l) => l.mode)).toEqual([full ? "AccessExclusiveLock" : "ShareUpdateExclusiveLock"]);
      expect(locks.rewrites).toBe(full);
      expect(lint(sql, [banVacuumFull]).map((f) => f.rule)).toEqual(full ? ["ban-vacuum-full"] : []);
    });
  }

  for (const [sql, concurrent] of [
    ["REINDEX (CONCURRENTLY 0) TABLE orders;", false],
    ["REINDEX (CONCURRENTLY) TABLE orders;", true],
    ["REINDEX (CONCURRENTLY off) TABLE orders;", false],
  ] as const) {
    it(`${sql} is ${concurrent ? "" : "not "}concurrent for both`, () => {
      const locks = statementLocks(statement(sql));
      expect(locks.transactional).toBe(!concurrent);
      expect(lint(sql, [requireConcurrentReindex]).length).toBe(concurrent ? 0 : 1);
      expect(lint({ sql: `BEGIN;\n${sql}\nCOMMIT;` }, [concurrentlyInTransaction]).length).toBe(concurrent ? 1 : 0);
    });
  }
});
