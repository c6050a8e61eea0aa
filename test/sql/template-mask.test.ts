import { describe, expect, it } from "vitest";
import { parseTemplatedSql } from "../../src/sql/parse-templated.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { SourceText } from "../../src/sql/source-text.js";
import { hasTemplates, maskTemplates } from "../../src/sql/template-mask.js";

// Loaded before the suites are collected: some compute their findings while they are.
await loadSqlParser();

const mask = (text: string) => maskTemplates(text)?.text;
/** The identifier placeholder of an expression of `n` characters. */
const id = (n: number) => `_tpl${"_".repeat(Math.max(0, n - 4))}`.slice(0, n);
/** The k-th numbered placeholder (the k-th identifier long enough to hold `_tpl<k>_`), `n` characters. */
const numbered = (k: number, n: number) => `_tpl${k.toString(36)}_`.padEnd(n, "_");
const blank = (n: number) => " ".repeat(n);

describe("maskTemplates", () => {
  it("masks a Go template with an identifier of the same length", () => {
    const sql = 'CREATE INDEX x ON {{ index .Options "Namespace" }}.identities (nid);';
    const masked = mask(sql);
    expect(masked).toHaveLength(sql.length);
    expect(masked).toBe(`CREATE INDEX x ON ${numbered(0, '{{ index .Options "Namespace" }}'.length)}.identities (nid);`);
  });

  it("masks Jinja expressions as identifiers and its statement tags and comments as blanks", () => {
    expect(mask("{% if x %}ALTER TABLE {{ schema }}.t ADD c int;{% endif %}{# note #}")).toBe(
      `${blank(10)}ALTER TABLE ${numbered(0, 12)}.t ADD c int;${blank(11)}${blank(10)}`,
    );
  });

  it("masks Go control actions and comments as blanks", () => {
    expect(mask("{{- if .X }}SELECT 1;{{ end -}}{{/* c */}}")).toBe(`${blank(12)}SELECT 1;${blank(11)}${blank(10)}`);
  });

  it("masks Flyway/Liquibase ${} placeholders", () => {
    expect(mask("ALTER TABLE ${flyway:defaultSchema}.t ADD c int;")).toBe(`ALTER TABLE ${numbered(0, "${flyway:defaultSchema}".length)}.t ADD c int;`);
  });

  it("masks psql variables: :var as an identifier, :'var' as a string, :\"var\" as a quoted identifier", () => {
    expect(mask("SELECT :v, :'name', :\"tbl\" FROM (:sub);")).toBe(`SELECT ${id(2)}, '_____', "____" FROM (${id(4)});`);
  });

  it("keeps newlines inside a template where they are", () => {
    const sql = "CREATE INDEX i ON {{\n  .Table\n}} (c);";
    const masked = mask(sql);
    expect(masked).toBe(`CREATE INDEX i ON ${id(2)}\n${blank(8)}\n${blank(2)} (c);`);
    expect(masked?.split("\n").length).toBe(sql.split("\n").length);
  });

  it.each([
    ["a string literal", "SELECT '{{ x }}', '${y}', ':z';"],
    ["an escape string", "SELECT E'it\\'s {{ x }}';"],
    ["a line comment", "-- {{ x }} ${y} :z\nSELECT 1;"],
    ["a nested block comment", "/* a /* {{ x }} */ ${y} */ SELECT 1;"],
    ["a quoted identifier", 'SELECT "{{ x }}" FROM t;'],
    ["casts and := named arguments", "SELECT x::text, f(a := 1), arr[lo:hi], arr[1:2] FROM t;"],
    ["a dollar-quoted body", "CREATE FUNCTION f() RETURNS int AS $fn$ BEGIN x := ${y}; RETURN {{ z }}; END $fn$ LANGUAGE plpgsql;"],
    ["an identifier with dollars", "SELECT a$b$ FROM t;"],
  ])("leaves %s alone", (_what, sql) => {
    expect(maskTemplates(sql)).toBeUndefined();
    expect(hasTemplates(sql)).toBe(false);
  });

  it("keeps every other character of the file in place", () => {
    const sql = "-- {{ not this }}\nALTER TABLE ${schema}.t ADD c text DEFAULT '${kept}';\n";
    expect(mask(sql)).toBe(`-- {{ not this }}\nALTER TABLE ${numbered(0, 9)}.t ADD c text DEFAULT '\${kept}';\n`);
  });
});

describe("parseTemplatedSql", () => {
  it("parses a templated statement at its real line, with the file's own text", () => {
    const sql = '-- migration\n\nCREATE INDEX identities_nid_idx\n  ON {{ index .Options "Namespace" }}.identities (nid);\n';
    const parsed = parseTemplatedSql(new SourceText("m.sql", sql));
    expect(parsed.errors).toEqual([]);
    expect(parsed.templateErrors).toEqual([]);
    expect(parsed.templated).toBe(true);
    expect(parsed.statements.map((s) => [s.kind, s.line, s.endLine])).toEqual([["IndexStmt", 3, 4]]);
    expect(parsed.statements[0]?.text).toContain('{{ index .Options "Namespace" }}');
    // The parse tree names the template, not the placeholder.
    expect(JSON.stringify(parsed.statements[0]?.node)).toContain('"schemaname":"{{ index .Options \\"Namespace\\" }}"');
    expect(JSON.stringify(parsed.statements[0]?.node)).not.toContain("_tpl");
  });

  it("sets a template statement that still does not parse apart from real syntax errors", () => {
    const sql = "CREATE TABLE {{ .T }} ({{ .Columns }});\nCREATE TABLEE broken (id int);\nCREATE INDEX i ON {{ .T }} (c);\n";
    const parsed = parseTemplatedSql(new SourceText("m.sql", sql));
    expect(parsed.templateErrors.map((e) => e.line)).toEqual([1]);
    expect(parsed.errors.map((e) => e.line)).toEqual([2]);
    expect(parsed.statements.map((s) => [s.kind, s.line])).toEqual([["IndexStmt", 3]]);
  });
});
