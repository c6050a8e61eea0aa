import { isAbsolute, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { DEFAULT_ANALYSIS_CONFIG, type AnalysisConfig } from "../../config/analysis-config.js";
import { loadConfigFile } from "../../config/load-config-file.js";
import { UserInputError, errorMessage } from "../../errors.js";
import { collectFiles, type CollectedFiles } from "../../migrations/collect-files.js";
import { detectMigrations, detectOptionsOf } from "../../migrations/detect.js";
import { splitByDialect } from "../../migrations/dialect.js";
import type { Migration, SourceFile } from "../../migrations/model.js";
import { lintStatementsOf, toLintJson, writeLintJson, type LintMigration } from "../../report/lint-json.js";
import { toLintText } from "../../report/lint-text.js";
import { relativeUri, toSarif } from "../../report/sarif.js";
import { analyzeEach } from "../../rules/engine.js";
import { RULES } from "../../rules/index.js";
import type { Finding } from "../../rules/types.js";
import { loadSqlParser } from "../../sql/parse.js";
import { EXIT, type CliIo, writeBytes } from "../io.js";
import { optionsHelpText, parseArgsOptions } from "../options.js";
import { LINT_OPTIONS } from "./lint-options.js";

export { LINT_OPTIONS };
import { packageVersion } from "../package-version.js";
import { lintCached } from "../result-cache.js";
import { workTreeOf } from "../work-tree.js";

export const LINT_USAGE = `Usage: data-engineer lint [paths…] [options]

Analyses migrations: files, or folders (analysed as a whole, so ups pair with downs).
Default path: the current folder. Exit 0 clean, 1 when an error-severity finding exists, 2 on usage errors.

${optionsHelpText(LINT_OPTIONS)}`;

const FORMATS = ["text", "json", "sarif"] as const;

/**
 * SARIF URIs for lint's paths (relative to the current folder): relative to the repository root,
 * which code scanning resolves them against; a file outside the repository gets a file: URI.
 */
function sarifUris(cwd: string): (path: string) => string {
  const root = workTreeOf(cwd) ?? cwd;
  return (path) => {
    const absolute = resolve(cwd, path);
    const fromRoot = relative(root, absolute);
    if (fromRoot === "" || fromRoot.startsWith("..") || isAbsolute(fromRoot)) return pathToFileURL(absolute).href;
    return relativeUri(fromRoot.split(sep).join("/"));
  };
}

/**
 * lint without the result cache, one migration at a time: each migration's statements (syntax
 * trees, locks) are dropped once projected, kept as JSON for --details only. On a folder of 25,000
 * statements, holding them all to the end doubled the peak memory.
 */
async function lintUncached(
  files: readonly SourceFile[],
  migrations: readonly Migration[],
  config: AnalysisConfig,
  details: boolean,
): Promise<{ migrations: LintMigration[]; findings: Finding[] }> {
  // Only a run with something to parse pays for the parser's WASM.
  if (migrations.length > 0) await loadSqlParser();
  return analyzeEach(files, migrations, { config }, (analysed) => ({
    migration: analysed.migration,
    ...(details ? { statements: lintStatementsOf(analysed) } : {}),
  }));
}

/**
 * `data-engineer lint`. `given`: the files, already read from the same paths by the caller (the
 * run cache, src/cli/lint-run-cache.ts, which keys the output by exactly these bytes).
 */
export async function lint(argv: readonly string[], io: CliIo, given?: CollectedFiles): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: parseArgsOptions(LINT_OPTIONS),
    });
  } catch (error) {
    io.err(`${errorMessage(error)}\n\n${LINT_USAGE}`);
    return EXIT.usage;
  }
  if (parsed.values.help) {
    io.out(LINT_USAGE);
    return EXIT.ok;
  }
  const format = parsed.values.format;
  if (!FORMATS.includes(format as (typeof FORMATS)[number])) {
    io.err(`--format must be one of ${FORMATS.join(", ")}, not "${format}"\n`);
    return EXIT.usage;
  }
  const details = parsed.values.details;
  if (details && format !== "json") {
    io.err(`--details goes with --format json\n`);
    return EXIT.usage;
  }
  let config: AnalysisConfig = DEFAULT_ANALYSIS_CONFIG;
  try {
    if (parsed.values.config) config = await loadConfigFile(parsed.values.config);
    const pg = parsed.values["pg-version"];
    if (pg !== undefined) {
      const version = Number(pg);
      if (!Number.isInteger(version) || version < 10 || version > 19)
        throw new UserInputError(`--pg-version must be a PostgreSQL major version from 10 to 19, not "${pg}"`);
      config = { ...config, postgresVersion: version };
    }
  } catch (error) {
    io.err(`${errorMessage(error)}\n`);
    return EXIT.usage;
  }

  let collected;
  try {
    collected = given ?? (await collectFiles(parsed.positionals.length > 0 ? parsed.positionals : ["."], io.cwd));
  } catch (error) {
    io.err(`${errorMessage(error)}\n`);
    return EXIT.usage;
  }
  // Files of another SQL dialect (x.mysql.up.sql, db/migration/sqlite/) are listed as skipped, with why.
  const skipped = [
    ...collected.skipped,
    ...splitByDialect(collected.files, config.dialects)
      .other.filter((file) => collected.targets.has(file.path))
      .map(({ path, reason }) => ({ path, reason })),
  ];
  const migrations = detectMigrations(collected.files, detectOptionsOf(config)).filter((m) => m.files.some((path) => collected.targets.has(path)));
  const { migrations: analyses, findings } = parsed.values["no-cache"]
    ? await lintUncached(collected.files, migrations, config, details)
    : await lintCached(collected.files, migrations, {
        config,
        env: io.env,
        projection: details ? { name: "lint-statements-1", of: lintStatementsOf } : undefined,
      });

  // Compact: machine-read, and a large folder gives tens of megabytes.
  if (format === "json") {
    writeLintJson(toLintJson(analyses, findings, skipped), (bytes) => writeBytes(io, bytes));
    io.out("\n");
  } else if (format === "sarif")
    io.out(`${JSON.stringify(toSarif(findings, { rules: RULES, version: packageVersion(), uriOf: sarifUris(io.cwd) }), null, 2)}\n`);
  else io.out(toLintText(findings, skipped, migrations.length));
  return findings.some((f) => f.severity === "error") ? EXIT.findings : EXIT.ok;
}
