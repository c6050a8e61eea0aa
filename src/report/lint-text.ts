import type { Finding } from "../rules/types.js";

/**
 * Skipped files listed one by one in the text output; the rest are counted. A multi-database
 * repository has thousands of MySQL and SQLite files (ory/kratos: 2,800): `--format json` lists them all.
 */
export const MAX_SKIPPED_LISTED = 20;

/** `data-engineer lint` for people: one block per finding, then a count. */
export function toLintText(findings: readonly Finding[], skipped: ReadonlyArray<{ path: string; reason: string }>, migrations: number): string {
  const lines: string[] = [];
  for (const f of findings) {
    const where = f.endLine > f.line ? `${f.path}:${f.line}-${f.endLine}` : `${f.path}:${f.line}`;
    lines.push(`${where}: ${f.severity} [${f.rule}] ${f.message}`);
    if (f.help) lines.push(`  help: ${f.help}`);
  }
  for (const s of skipped.slice(0, MAX_SKIPPED_LISTED)) lines.push(`${s.path}: skipped (${s.reason})`);
  if (skipped.length > MAX_SKIPPED_LISTED) lines.push(`… and ${skipped.length - MAX_SKIPPED_LISTED} more skipped (--format json lists them all)`);
  const count = (severity: Finding["severity"]) => findings.filter((f) => f.severity === severity).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  lines.push(
    `${lines.length > 0 ? "\n" : ""}${plural(migrations, "migration")} checked: ${plural(count("error"), "error")}, ${plural(count("warning"), "warning")}, ${plural(count("note"), "note")}`,
  );
  return `${lines.join("\n")}\n`;
}
