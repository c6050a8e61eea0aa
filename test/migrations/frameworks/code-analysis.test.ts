import { describe, expect, it } from "vitest";
import { maskCode } from "../../../src/migrations/frameworks/code/mask.js";
import { findRubyMethods } from "../../../src/migrations/frameworks/code/ruby-blocks.js";
import { alembicFramework } from "../../../src/migrations/frameworks/alembic.js";
import { knexFramework } from "../../../src/migrations/frameworks/knex.js";
import { railsFramework } from "../../../src/migrations/frameworks/rails.js";
import { describeIssues, describeSections } from "./summaries.js";

describe("maskCode", () => {
  it("blanks comments and string contents, keeping delimiters and every offset", () => {
    const code = 'up(knex) { // end }\n  return "}";\n}';
    const masked = maskCode(code, "javascript");
    expect(masked).toHaveLength(code.length);
    expect(masked).toBe('up(knex) {         \n  return " ";\n}');
  });

  it("blanks a Ruby heredoc body while the rest of its opening line stays code", () => {
    const code = "execute(<<~SQL, 1)\n  end\nSQL\nfoo\n";
    const masked = maskCode(code, "ruby");
    expect(masked).toHaveLength(code.length);
    expect(masked.startsWith("execute(<<~SQL, 1)")).toBe(true);
    expect(masked).not.toContain("end");
    expect(masked.endsWith("\nfoo\n")).toBe(true);
  });

  it("blanks Python triple-quoted strings and comments", () => {
    expect(maskCode('x = """a\n# b"""  # c\n', "python")).toBe('x = """     """     \n');
  });

  it("treats `a << b` in Ruby as an operator, not a heredoc", () => {
    expect(maskCode("list << item\n", "ruby")).toBe("list << item\n");
  });
});

describe("Ruby method bodies", () => {
  it("skips modifier ifs and loop dos, counts statement ifs", () => {
    const code = ["def up", "  return if done?", "  while more do", "    step", "  end", "  if a", "    b", "  end", "end", "def down", "end"].join("\n");
    const masked = maskCode(code, "ruby");
    const [up, down] = findRubyMethods(masked, ["up", "down"]);
    // The body runs to the `end` on line 9: the modifier `if` and the loop's `do` open nothing.
    expect(code.slice(up?.bodyStart, up?.bodyEnd)).toBe(`\n${code.split("\n").slice(1, 8).join("\n")}\n`);
    expect(down).toMatchObject({ name: "down", bodyStart: code.indexOf("def down") + 8, bodyEnd: code.length - 3 });
  });

  it("reads old-style `def self.up` / `def self.down` migrations", () => {
    const text = [
      "class AddX < ActiveRecord::Migration",
      "  def self.up",
      "    add_column :t, :x, :string",
      "  end",
      "",
      "  def self.down",
      "    remove_column :t, :x",
      "  end",
      "end",
      "",
    ].join("\n");
    const [migration] = railsFramework.detect([{ path: "db/migrate/20100101000000_add_x.rb", text }]).migrations;
    expect(describeSections(migration)).toEqual(["up db/migrate/20100101000000_add_x.rb L3-3 tx", "down db/migrate/20100101000000_add_x.rb L7-7 tx"]);
    expect(describeIssues(migration)).toEqual([]);
  });
});

describe("other shapes of empty downs", () => {
  it("knex: `exports.down = () => Promise.resolve();`", () => {
    const text = 'exports.up = (knex) => knex.raw("SELECT 1");\nexports.down = () => Promise.resolve();\n';
    const [migration] = knexFramework.detect([{ path: "migrations/20260101000000_x.js", text }]).migrations;
    expect(describeIssues(migration)).toEqual(["empty-down 2: `down` is empty: rolling back does nothing"]);
    expect(describeSections(migration)).toEqual(["up migrations/20260101000000_x.js L1-1 tx", "down migrations/20260101000000_x.js L2-2 tx"]);
  });

  it("alembic: `def downgrade(): pass` on one line", () => {
    const text = 'revision = "a1"\ndown_revision = None\n\ndef upgrade():\n    op.execute("SELECT 1")\n\ndef downgrade(): pass\n';
    const [migration] = alembicFramework.detect([{ path: "alembic/versions/a1_x.py", text }]).migrations;
    expect(describeIssues(migration)).toEqual(["empty-down 7: `downgrade()` is empty: rolling back does nothing"]);
  });

  it("knex needs the forced framework when the file does not mention knex", () => {
    const files = [{ path: "migrations/20260101000000_x.js", text: "exports.up = async (db) => {\n  await db.raw('SELECT 1');\n};\n" }];
    expect(knexFramework.detect(files).migrations).toEqual([]);
    expect(knexFramework.detect(files, { forced: true }).migrations.map((m) => m.framework)).toEqual(["knex"]);
  });
});
