import { describe, expect, it } from "vitest";
import { NotNullFacts, type NotNullView } from "../../src/sql/not-null-facts.js";
import { loadSqlParser, parseSql } from "../../src/sql/parse.js";
import { SourceText } from "../../src/sql/source-text.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

/** Learns `history`, then gives the view for the ALTER TABLE `at`. */
function viewAfter(history: string, at: string): NotNullView | undefined {
  const facts = new NotNullFacts();
  for (const statement of parseSql(new SourceText("h.sql", history)).statements) facts.learn(statement);
  const [statement] = parseSql(new SourceText("at.sql", at)).statements;
  return statement ? facts.viewFor(statement) : undefined;
}

describe("NotNullFacts", () => {
  it("knows columns declared NOT NULL or part of a primary key, and forgets dropped or renamed ones", () => {
    const view = viewAfter(
      "CREATE TABLE app.orders (id bigint, tenant bigint, email text NOT NULL, note text, PRIMARY KEY (tenant, id));\nALTER TABLE app.orders ALTER COLUMN note SET NOT NULL;\nALTER TABLE app.orders ALTER COLUMN email DROP NOT NULL;",
      "ALTER TABLE app.orders ALTER COLUMN id SET NOT NULL, ALTER COLUMN tenant SET NOT NULL, ALTER COLUMN email SET NOT NULL, ALTER COLUMN note SET NOT NULL;",
    );
    expect(["id", "tenant", "email", "note"].map((c) => view?.proof(c))).toEqual(["declared", "declared", undefined, "declared"]);
    // The view answers for the columns its statement names only (it is taken at every ALTER TABLE).
    expect(viewAfter("CREATE TABLE orders (id bigint NOT NULL, x text);", "ALTER TABLE orders ALTER COLUMN x SET NOT NULL;")?.proof("id")).toBeUndefined();
    // Another schema's table of the same name is another table.
    expect(viewAfter("CREATE TABLE app.orders (id bigint NOT NULL);", "ALTER TABLE orders ALTER COLUMN id SET NOT NULL;")?.proof("id")).toBeUndefined();
    expect(
      viewAfter(
        "CREATE TABLE orders (id bigint NOT NULL);\nALTER TABLE orders RENAME TO purchases;",
        "ALTER TABLE purchases ALTER COLUMN id SET NOT NULL;",
      )?.proof("id"),
    ).toBe("declared");
    expect(
      viewAfter(
        "CREATE TABLE orders (id bigint NOT NULL);\nDROP TABLE orders;\nCREATE TABLE orders (id bigint);",
        "ALTER TABLE orders ALTER COLUMN id SET NOT NULL;",
      )?.proof("id"),
    ).toBeUndefined();
  });

  it("counts a CHECK … IS NOT NULL once validated, by name, including Postgres's name for an unnamed one", () => {
    const at = "ALTER TABLE orders ALTER COLUMN email SET NOT NULL;";
    expect(viewAfter("ALTER TABLE orders ADD CHECK (email IS NOT NULL) NOT VALID;", at)?.proof("email")).toBeUndefined();
    expect(
      viewAfter("ALTER TABLE orders ADD CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_email_check;", at)?.proof("email"),
    ).toBe("checked");
    expect(viewAfter("CREATE TABLE orders (email text CHECK (email IS NOT NULL));", at)?.proof("email")).toBe("checked");
    expect(
      viewAfter("ALTER TABLE orders ADD CONSTRAINT c CHECK (email IS NULL) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT c;", at)?.proof("email"),
    ).toBeUndefined();
  });

  it("reads the columns of the index a USING INDEX names, and lists validated constraints it never saw defined", () => {
    const view = viewAfter(
      "CREATE UNIQUE INDEX CONCURRENTLY orders_key ON orders (tenant, id);\nALTER TABLE orders ADD CONSTRAINT known CHECK (total > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT known;\nALTER TABLE orders VALIDATE CONSTRAINT elsewhere;",
      "ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_key;",
    );
    expect(view?.indexColumns("orders_key")).toEqual(["tenant", "id"]);
    expect(view?.indexColumns("other")).toBeUndefined();
    expect(view?.validatedUnknown()).toEqual({ count: 1, first: ["elsewhere"] });
    expect(viewAfter("", "SELECT 1;")).toBeUndefined();
  });

  it("counts every validated constraint it never saw defined, and names the first three in the order validated", () => {
    const validations = ["e", "d", "c", "b", "a"].map((name) => `ALTER TABLE orders VALIDATE CONSTRAINT ${name};`).join("\n");
    const view = viewAfter(`${validations}\nALTER TABLE orders DROP CONSTRAINT d;`, "ALTER TABLE orders ALTER COLUMN email SET NOT NULL;");
    expect(view?.validatedUnknown()).toEqual({ count: 4, first: ["e", "c", "b"] });
  });
});
