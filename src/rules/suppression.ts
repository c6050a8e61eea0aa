import type { SqlComment } from "../sql/parse.js";
import type { Finding } from "./types.js";

/**
 * Ignore comments: `-- data-engineer-ignore rule-a, rule-b` for the next statement,
 * `-- data-engineer-ignore-file [rules]` for the whole file, and squawk's `-- squawk-ignore` /
 * `-- squawk-ignore-file` with squawk's rule names. A directive that suppresses nothing is
 * reported (unused-ignore), so stale ignores do not pile up.
 */

/** squawk rule names and the rule of ours that checks the same thing. */
export const SQUAWK_RULE_NAMES: Readonly<Record<string, string>> = {
  "require-concurrent-index-creation": "require-concurrent-index",
  "require-concurrent-index-deletion": "require-concurrent-index-drop",
  "require-concurrent-reindex": "require-concurrent-reindex",
  "require-concurrent-partition-detach": "require-concurrent-detach",
  "ban-concurrent-index-creation-in-transaction": "concurrently-in-transaction",
  "adding-foreign-key-constraint": "require-not-valid-foreign-key",
  "constraint-missing-not-valid": "require-not-valid-check",
  "disallowed-unique-constraint": "ban-add-unique-constraint",
  "adding-serial-primary-key-field": "ban-add-primary-key",
  "adding-not-nullable-field": "set-not-null-scan",
  "adding-required-field": "add-required-column",
  "adding-field-with-default": "volatile-default-rewrite",
  "changing-column-type": "unsafe-column-type-change",
  "require-timeout-settings": "require-lock-timeout",
  "require-lock-timeout": "require-lock-timeout",
  "require-statement-timeout": "require-statement-timeout",
  "prefer-robust-stmts": "require-if-not-exists",
  "ban-drop-column": "ban-drop-column",
  "ban-drop-table": "ban-drop-table",
  "ban-drop-database": "ban-drop-schema",
  "ban-truncate-cascade": "ban-cascade",
  "renaming-column": "ban-rename-column",
  "renaming-table": "ban-rename-table",
  "ban-drop-not-null": "ban-drop-not-null",
  "transaction-nesting": "transaction-nesting",
  "ban-uncommitted-transaction": "uncommitted-transaction",
  "prefer-bigint-over-int": "prefer-bigint-id",
  "prefer-bigint-over-smallint": "prefer-bigint-id",
  "prefer-identity": "prefer-identity",
  "prefer-text-field": "prefer-text",
  "prefer-timestamptz": "prefer-timestamptz",
  "ban-char-field": "ban-char-type",
};

export interface IgnoreDirective {
  path: string;
  line: number;
  /** Rule ids (ours); empty means every rule. */
  rules: string[];
  /** The statement lines it covers; undefined for a whole-file directive. */
  range?: { line: number; endLine: number };
  /** As written, for messages. */
  text: string;
  used: boolean;
}

const DIRECTIVE = /^(?:--|\/\*)\s*(data-engineer|squawk)-ignore(-file)?\b\s*([^*]*?)\s*(?:\*\/)?$/;

/** The directives among a file's comments; `nextStatement` finds the statement after a line. */
export function findIgnoreDirectives(
  path: string,
  comments: readonly SqlComment[],
  nextStatement: (afterLine: number) => { line: number; endLine: number } | undefined,
): IgnoreDirective[] {
  const directives: IgnoreDirective[] = [];
  for (const comment of comments) {
    const match = DIRECTIVE.exec(comment.text.trim());
    if (!match) continue;
    const [, tool, file, list] = match;
    const names = (list ?? "")
      .split(/[,\s]+/)
      .map((name) => name.trim())
      .filter((name) => name !== "");
    const rules = tool === "squawk" ? names.map((name) => SQUAWK_RULE_NAMES[name] ?? name) : names;
    const range = file ? undefined : nextStatement(comment.endLine);
    if (!file && !range) continue; // an ignore after the last statement has nothing to cover
    directives.push({ path, line: comment.line, rules, range, text: comment.text.trim(), used: false });
  }
  return directives;
}

/** Drops the findings the directives cover and marks the directives that were used. */
export function applyIgnores(findings: readonly Finding[], directives: readonly IgnoreDirective[]): Finding[] {
  return findings.filter((finding) => {
    for (const directive of directives) {
      if (directive.path !== finding.path) continue;
      if (directive.rules.length > 0 && !directive.rules.includes(finding.rule)) continue;
      if (directive.range && (finding.line < directive.range.line || finding.line > directive.range.endLine)) continue;
      directive.used = true;
      return false;
    }
    return true;
  });
}
