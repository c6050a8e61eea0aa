import { beforeAll, describe, expect, it } from "vitest";
import { detectMigrations } from "../../src/migrations/detect.js";
import type { SourceFile } from "../../src/migrations/model.js";
import { concurrentlyAdded } from "../../src/rules/concurrently-added.js";
import { analyzeOnce } from "../../src/rules/engine.js";
import { loadSqlParser, parseSql } from "../../src/sql/parse.js";
import { SourceText } from "../../src/sql/source-text.js";

/**
 * concurrentlyAdded lets the fix check's shortcut take require-concurrent-index's fix as one CREATE
 * INDEX CONCURRENTLY without parsing it. Against the parser, on every form of CREATE INDEX: where
 * it says yes, the fix parses as exactly one statement, the original one with `concurrent` set and
 * nothing else changed; where the text could hold more than the statement's tokens (a semicolon, a
 * comment) or INDEX is glued to what follows, it says no and the fix is parsed.
 */

beforeAll(async () => {
  await loadSqlParser();
});

const TABLES: SourceFile = { path: "db/migrations/000001_tables.up.sql", text: "CREATE TABLE t (x int, y text, z int);\n" };

/** Each CREATE INDEX, and whether concurrentlyAdded must recognise its fix. */
const FORMS: Array<[string, boolean]> = [
  ["CREATE INDEX a1 ON t (x);", true],
  ["create unique index a2 on t (x);", true],
  ["CREATE INDEX IF NOT EXISTS a3 ON t (x);", true],
  ["CREATE INDEX ON t (x);", true],
  ["CREATE INDEX a5 ON ONLY t (x);", true],
  ["CREATE INDEX a6 ON t USING btree (lower(y)) INCLUDE (z) WITH (fillfactor = 70) WHERE x > 0;", true],
  ["CREATE UNIQUE INDEX a7 ON t (x) NULLS NOT DISTINCT;", true],
  ["CREATE\tINDEX\ta8\tON t (x);", true],
  ["CREATE UNIQUE\n  INDEX a9\n  ON t (x);", true],
  ['CREATE INDEX "concurrently" ON t (x);', true],
  ["CREATE INDEX concurrently_idx ON t (x);", true],
  ["CREATE INDEX a12 ON public.t (x DESC NULLS LAST) TABLESPACE pg_default;", true],
  ["CREATE INDEX a13 ON t (x) WHERE y <> ';';", false],
  ["CREATE INDEX a14 ON t ((y || '--'));", false],
  ['CREATE INDEX"a15"ON t (x);', false],
  ["CREATE INDEX a16 ON t (x); -- a comment after the semicolon is not the statement's", true],
  ["CREATE INDEX a17 ON t (x) -- the file's last statement, without a semicolon, keeps what follows it", false],
];

const withoutLocations = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (key: string, inner: unknown) => (key === "location" || key === "stmt_location" ? undefined : inner)));

describe("CONCURRENTLY added to a CREATE INDEX, known without parsing", () => {
  it("agrees with the parser on every form of CREATE INDEX", () => {
    const indexes: SourceFile = { path: "db/migrations/000002_indexes.up.sql", text: `${FORMS.map(([sql]) => sql).join("\n")}` };
    const files = [TABLES, indexes];
    const analysed = analyzeOnce(files, detectMigrations(files, {}), {});
    const statements = analysed.migrations.flatMap((m) => m.sections.flatMap((s) => s.statements)).filter((s) => s.path === indexes.path);
    const fixes = analysed.findings.filter((f) => f.rule === "require-concurrent-index" && f.path === indexes.path && f.fix);
    expect(fixes.length).toBe(FORMS.length);
    let recognised = 0;
    for (const finding of fixes) {
      const fix = finding.fix;
      const statement = statements.find((s) => s.line === fix?.line);
      if (!fix || !statement) throw new Error(`no statement at ${finding.line}`);
      const expected = FORMS.find(([sql]) => sql.startsWith(statement.text))?.[1];
      const known = concurrentlyAdded(statement, fix.replacement);
      expect(known, statement.text).toBe(expected);
      if (!known) continue;
      recognised++;
      const parsed = parseSql(new SourceText("fix.sql", fix.replacement), 0, fix.replacement.length, { comments: false });
      expect(parsed.errors).toEqual([]);
      expect(parsed.statements.length).toBe(1);
      const node = parsed.statements[0]?.node as { IndexStmt?: { concurrent?: boolean } } | undefined;
      expect(node?.IndexStmt?.concurrent).toBe(true);
      const original = statement.node as { IndexStmt?: object };
      expect(withoutLocations(node)).toEqual(withoutLocations({ IndexStmt: { ...original.IndexStmt, concurrent: true } }));
    }
    expect(recognised).toBe(FORMS.filter(([, yes]) => yes).length);
  });

  it("is not said of a statement that is not a CREATE INDEX without CONCURRENTLY", () => {
    const source = new SourceText("x.sql", "CREATE INDEX CONCURRENTLY b ON t (x);\nDROP INDEX b;\n");
    const [concurrent, drop] = parseSql(source).statements;
    if (!concurrent || !drop) throw new Error("not parsed");
    expect(concurrentlyAdded(concurrent, "CREATE INDEX CONCURRENTLY CONCURRENTLY b ON t (x);")).toBe(false);
    expect(concurrentlyAdded(drop, "DROP INDEX CONCURRENTLY b;")).toBe(false);
  });
});
