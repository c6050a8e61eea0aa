import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { corpusStatement } from "../../bench/lint-corpus.js";
import { AnalysisConfigSchema, DEFAULT_ANALYSIS_CONFIG, type AnalysisConfig } from "../../src/config/analysis-config.js";
import { collectFiles } from "../../src/migrations/collect-files.js";
import { detectMigrations } from "../../src/migrations/detect.js";
import type { SourceFile } from "../../src/migrations/model.js";
import { analyzeMigrations, analyzeOnce, fixCheckOptions } from "../../src/rules/engine.js";
import { applyFix, checkFixes, type Reanalyse } from "../../src/rules/fix-check.js";
import type { Fix } from "../../src/rules/types.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { FIXTURE_FOLDERS } from "../helpers/fixture-folders.js";

/**
 * The fix check's shortcut (fix-outcome.ts: every fix of a migration refused in its runner's
 * transaction, with no in-file way out, is dropped without analysing again) against the full
 * check, which analyses every fixed migration again: on every fixture folder and on cases made to
 * stand at each condition of the shortcut, both give the same findings, fixes and all. The count
 * of analyses proves the shortcut is taken where it should be, and only there.
 */

const ROOT = join(import.meta.dirname, "../..");

const FOLDERS = FIXTURE_FOLDERS;

const STRICT: AnalysisConfig = AnalysisConfigSchema.parse({ preset: "strict" });

beforeAll(async () => {
  await loadSqlParser();
});

/** checkFixes with and without the shortcut, counting the analyses each asks for. */
function bothWays(files: readonly SourceFile[], config: AnalysisConfig = DEFAULT_ANALYSIS_CONFIG) {
  const migrations = detectMigrations(files, {});
  const options = { config };
  const analysed = analyzeOnce(files, migrations, options);
  const counted = () => {
    const calls = { n: 0 };
    const reanalyse: Reanalyse = (changed, again) => {
      calls.n++;
      return analyzeOnce(changed, again, options);
    };
    return { calls, reanalyse };
  };
  const short = counted();
  const full = counted();
  const shortcut = checkFixes(analysed, files, { reanalyse: short.reanalyse, refusalKnown: fixCheckOptions(options).refusalKnown });
  const reference = checkFixes(analysed, files, { reanalyse: full.reanalyse, refusalKnown: false });
  return { shortcut, reference, analyses: { shortcut: short.calls.n, full: full.calls.n }, offered: analysed.findings.filter((f) => f.fix).length };
}

describe("the fix check's shortcut gives what analysing every fixed migration again gives", () => {
  it("on every fixture folder, with both presets, and through analyzeMigrations' option", async () => {
    let saved = 0;
    let offered = 0;
    for (const folder of FOLDERS) {
      const { files } = await collectFiles([join(ROOT, folder)], ROOT);
      for (const config of [DEFAULT_ANALYSIS_CONFIG, STRICT]) {
        const { shortcut, reference, analyses, offered: count } = bothWays(files, config);
        expect(shortcut.findings, folder).toEqual(reference.findings);
        expect(analyses.shortcut, folder).toBeLessThanOrEqual(analyses.full);
        saved += analyses.full - analyses.shortcut;
        offered += count;
      }
      const migrations = detectMigrations(files, {});
      expect(analyzeMigrations(files, migrations, {}).findings, folder).toEqual(analyzeMigrations(files, migrations, { fullFixCheck: true }).findings);
    }
    process.stdout.write(`fixture folders: ${FOLDERS.length}, fixes offered: ${offered}, analyses saved: ${saved}\n`);
    // Guards against comparing nothing: fixes were offered, and some were decided without analysing again.
    expect(offered).toBeGreaterThan(10);
    expect(saved).toBeGreaterThan(0);
  }, 600_000);

  it("on bench:lint's generated corpus, whose every fix is refused, without analysing again", () => {
    const files: SourceFile[] = Array.from({ length: 4 }, (_, f) => ({
      path: `db/migrations/${String(f + 1).padStart(6, "0")}_step_${f}.up.sql`,
      text: `${Array.from({ length: 100 }, (_, i) => corpusStatement(f, i)).join("\n\n")}\n`,
    }));
    const { shortcut, reference, analyses, offered } = bothWays(files);
    expect(shortcut.findings).toEqual(reference.findings);
    expect(offered).toBeGreaterThan(20);
    expect(analyses).toEqual({ shortcut: 0, full: 4 });
  });

  const ORDERS = "CREATE TABLE orders (id bigint PRIMARY KEY, status text, customer_id bigint);\n";
  /** golang-migrate sends a file as one query: several statements run in one implicit transaction block. */
  const golangMigrate = (up: string): SourceFile[] => [
    { path: "db/migrations/000001_orders.up.sql", text: ORDERS },
    { path: "db/migrations/000002_indexes.up.sql", text: up },
  ];

  const cases: Array<{ name: string; files: SourceFile[]; config?: AnalysisConfig; shortcut: boolean; kept: number }> = [
    {
      name: "CREATE and DROP INDEX in a golang-migrate file of several statements: dropped, known",
      files: golangMigrate(
        "SET lock_timeout = '2s';\nCREATE INDEX orders_status_idx ON orders (status);\nDROP INDEX orders_old_idx;\nCREATE UNIQUE INDEX orders_c_idx\n  ON orders (customer_id);\n",
      ),
      shortcut: true,
      kept: 0,
    },
    {
      name: "a `--` ending the line before: the fixed files are read again (fix-keeps-sections.ts), dropped, known",
      files: golangMigrate("SET lock_timeout = '2s'; --\nCREATE INDEX orders_status_idx ON orders (status);\n"),
      shortcut: true,
      kept: 0,
    },
    {
      name: "INDEX glued to the quoted name: the fix is parsed (concurrently-added.ts), dropped, known",
      files: golangMigrate("SET lock_timeout = '2s';\nCREATE INDEX\"orders_status_idx\"ON orders (status);\n"),
      shortcut: true,
      kept: 0,
    },
    {
      name: "a file of one statement: no transaction, the fix is kept after analysing again",
      files: golangMigrate("CREATE INDEX orders_status_idx ON orders (status);\n"),
      shortcut: false,
      kept: 1,
    },
    {
      name: "an ignore comment could hide the refusal",
      files: golangMigrate("SET lock_timeout = '2s';\n-- squawk-ignore concurrently-in-transaction\nCREATE INDEX orders_status_idx ON orders (status);\n"),
      shortcut: false,
      kept: 1,
    },
    {
      name: "a comment on the statement's line",
      files: golangMigrate("SET lock_timeout = '2s';\nCREATE INDEX orders_status_idx ON orders (status); -- for the list\n"),
      shortcut: false,
      kept: 0,
    },
    {
      name: "two statements on the fix's line",
      files: golangMigrate("SET lock_timeout = '2s';\nCREATE INDEX orders_status_idx ON orders (status); SELECT 1;\n"),
      shortcut: false,
      kept: 0,
    },
    {
      name: "another fix in the migration (NOT VALID)",
      files: golangMigrate(
        "SET lock_timeout = '2s';\nCREATE INDEX orders_status_idx ON orders (status);\nALTER TABLE orders ADD CONSTRAINT orders_c_fk FOREIGN KEY (customer_id) REFERENCES orders (id);\n",
      ),
      shortcut: false,
      kept: 1,
    },
    {
      name: "concurrently-in-transaction as a warning: the refusal adds no error",
      files: golangMigrate("SET lock_timeout = '2s';\nCREATE INDEX orders_status_idx ON orders (status);\n"),
      config: AnalysisConfigSchema.parse({ rules: { "concurrently-in-transaction": "warning" } }),
      shortcut: false,
      kept: 1,
    },
    {
      name: "goose: the fix is widened with NO TRANSACTION, which is analysed again",
      files: [
        { path: "db/migrations/00001_orders.sql", text: `-- +goose Up\n${ORDERS}\n-- +goose Down\nDROP TABLE orders;\n` },
        {
          path: "db/migrations/00002_status.sql",
          text: "-- +goose Up\nCREATE INDEX orders_status_idx ON orders (status);\n\n-- +goose Down\nDROP INDEX orders_status_idx;\n",
        },
      ],
      shortcut: false,
      kept: 1,
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const { shortcut, reference, analyses } = bothWays(c.files, c.config);
      expect(shortcut.findings).toEqual(reference.findings);
      expect(shortcut.findings.filter((f) => f.fix).length).toBe(c.kept);
      if (c.shortcut) expect(analyses.shortcut).toBe(0);
      else expect(analyses.shortcut).toBe(analyses.full);
      expect(analyses.full).toBeGreaterThan(0);
    });
  }

  it("is off where the refusal is not an error, or not checked at all", () => {
    const rules = (config: object) => ({ config: AnalysisConfigSchema.parse(config) });
    expect(fixCheckOptions({}).refusalKnown).toBe(true);
    expect(fixCheckOptions({ fullFixCheck: true }).refusalKnown).toBe(false);
    expect(fixCheckOptions(rules({ rules: { "concurrently-in-transaction": "off" } })).refusalKnown).toBe(false);
    expect(fixCheckOptions(rules({ rules: { "concurrently-in-transaction": "warning" } })).refusalKnown).toBe(false);
    expect(fixCheckOptions({ rules: [] }).refusalKnown).toBe(false);
  });
});

describe("applyFix cuts at the fix's line breaks as splitting every line would", () => {
  const byLines = (text: string, fix: Fix): string => {
    const lines = text.split("\n");
    lines.splice(fix.line - 1, fix.endLine - fix.line + 1, ...fix.replacement.replace(/\n$/, "").split("\n"));
    return lines.join("\n");
  };
  const texts = ["", "a", "a\n", "a\nb", "a\nb\n", "a\r\nb\r\nc", "one\ntwo\nthree\nfour\n", "\n\n\n"];
  const replacements = ["X", "X\n", "X\nY", "X\nY\n", ""];
  it("for every line range of small texts, past their end included", () => {
    let compared = 0;
    for (const text of texts) {
      for (const replacement of replacements) {
        for (let line = 1; line <= 6; line++) {
          for (let endLine = line - 1; endLine <= 6; endLine++) {
            const fix = { title: "t", line, endLine, replacement };
            expect(applyFix(text, fix), JSON.stringify({ text, fix })).toBe(byLines(text, fix));
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });
});
