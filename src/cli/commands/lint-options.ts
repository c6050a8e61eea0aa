import { HELP_OPTION, type CliOptions } from "../options.js";

/** The options of `data-engineer lint`: what it parses, its help and the README's table. */
export const LINT_OPTIONS = {
  format: {
    type: "string",
    default: "text",
    value: "text|json|sarif",
    help:
      "`text` for people (default); `json`: files → migrations (version, direction, inTransaction), " +
      "then findings (rule, severity, path, line, endLine, message, help), then `skipped` (path, reason: too large, binary, another SQL dialect); `sarif`: SARIF 2.1.0.",
  },
  config: {
    type: "string",
    value: "FILE",
    help: "Analysis settings in YAML: the same file as .github/data-engineer.yml (postgresVersion, framework, dialects, tables, rules …).",
  },
  "pg-version": {
    type: "string",
    value: "N",
    help: "The PostgreSQL major version the migrations run on, 10 to 19 (default: the configuration's postgresVersion, else 18).",
  },
  details: {
    type: "boolean",
    default: false,
    help: "With `--format json`: each migration's statements too (line, endLine, sql, kind, locks, rewrites, scans, transactional).",
  },
  "no-cache": {
    type: "boolean",
    default: false,
    help:
      "Neither read nor write the result cache. Results are cached per migration in $DATA_ENGINEER_CACHE_DIR, else $XDG_CACHE_HOME/data-engineer/lint-results, " +
      "else ~/.cache/data-engineer/lint-results (200 MB at most): an unchanged migration (same text, same migrations before it, same settings and version) is not analysed again.",
  },
  help: HELP_OPTION,
} as const satisfies CliOptions;
