import { describe, expect, it } from "vitest";
import { DEFAULT_REPO_CONFIG } from "../../src/config/repo-config.js";
import { detectMigrations } from "../../src/migrations/detect.js";
import { statementFor } from "../../src/report/fingerprint.js";
import { statementIndex } from "../../src/review/statement-index.js";
import { analyzeMigrations } from "../../src/rules/engine.js";
import { loadSqlParser } from "../../src/sql/parse.js";

await loadSqlParser();

/**
 * compose.ts finds each finding's statement with statementIndex instead of statementFor (issue 18:
 * 2.6 s of the main thread's CPU on a review of 27 000 statements): the same statement for every
 * line of every file, statements sharing a line, spanning lines, up and down in one file.
 */
describe("the statement index", () => {
  it("finds the statement statementFor finds, on every line", () => {
    const files = [
      {
        path: "db/migrations/20240101000000_one.sql",
        text:
          "-- migrate:up\nCREATE TABLE a (id int); CREATE TABLE b (id int);\n\nALTER TABLE a\n  ADD COLUMN x int,\n  ADD COLUMN y int;\n-- a comment\nCREATE INDEX a_x ON a (x);\n" +
          "-- migrate:down\nDROP INDEX a_x;\nALTER TABLE a DROP COLUMN y, DROP COLUMN x;\n\nDROP TABLE b; DROP TABLE a;\n",
      },
      { path: "db/migrations/20240102000000_two.sql", text: "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n" },
    ];
    const analysis = analyzeMigrations(files, detectMigrations(files), { config: DEFAULT_REPO_CONFIG });
    const lookup = statementIndex(analysis);
    let found = 0;
    for (const file of [...files, { path: "elsewhere.sql", text: "" }]) {
      for (let line = 0; line <= file.text.split("\n").length + 1; line++) {
        const expected = statementFor(analysis, { path: file.path, line });
        if (expected) found++;
        expect(lookup({ path: file.path, line }), `${file.path}:${line}`).toBe(expected);
      }
    }
    expect(found).toBeGreaterThanOrEqual(10);
  });
});
