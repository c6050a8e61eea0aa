import type { SqlComment } from "../sql/parse.js";
import { ruleIdsFor } from "../ids/rule-ids.js";
import type { Finding } from "./types.js";

/**
 * Ignore comments: `-- data-engineer-ignore rule-a, rule-b` for the next statement,
 * `-- data-engineer-ignore-file [rules]` for the whole file, and squawk's `-- squawk-ignore` /
 * `-- squawk-ignore-file` with squawk's rule names. A directive that suppresses nothing is
 * reported (unused-ignore), so stale ignores do not pile up.
 */

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

/**
 * The rules of ours for a name in a squawk directive: several where squawk's rule covers several of
 * ours (require-timeout-settings: both timeouts). A name squawk does not use for one of ours stays as written.
 */
function ourRuleNames(squawkName: string): readonly string[] {
  const ours = ruleIdsFor(squawkName);
  return ours.length > 0 ? ours : [squawkName];
}

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
    const rules = tool === "squawk" ? [...new Set(names.flatMap(ourRuleNames))] : names;
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
