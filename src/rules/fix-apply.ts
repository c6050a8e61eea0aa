import { FRAMEWORKS } from "../migrations/frameworks/index.js";
import type { Migration, SourceFile } from "../migrations/model.js";
import type { Fix } from "./types.js";

/** Applying a fix to its file and reading the migration again, for the fix check (fix-check.ts, fix-outcome.ts). */

/** `text` with lines fix.line..fix.endLine (1-based, inclusive) replaced by the fix's lines. */
export function applyFix(text: string, fix: Fix): string {
  // Cut at the line breaks around the fix rather than splitting every line: the fix check applies
  // each fix of a long file in turn.
  if (fix.line < 1 || fix.endLine < fix.line) return applyByLines(text, fix);
  let start = 0;
  for (let line = 1; line < fix.line; line++) {
    const at = text.indexOf("\n", start);
    if (at < 0) return applyByLines(text, fix);
    start = at + 1;
  }
  let end = start;
  for (let line = fix.line; line <= fix.endLine; line++) {
    const at = text.indexOf("\n", end);
    if (at < 0) {
      if (line < fix.endLine) return applyByLines(text, fix);
      end = text.length;
      break;
    }
    end = line < fix.endLine ? at + 1 : at;
  }
  return text.slice(0, start) + fix.replacement.replace(/\n$/, "") + text.slice(end);
}

/** applyFix by splitting the text into lines: for a fix that reaches past its last line, or has no lines to replace. */
function applyByLines(text: string, fix: Fix): string {
  const lines = text.split("\n");
  lines.splice(fix.line - 1, fix.endLine - fix.line + 1, ...fix.replacement.replace(/\n$/, "").split("\n"));
  return lines.join("\n");
}

/** How many lines a fix's replacement writes. */
export const lineCount = (replacement: string): number => replacement.replace(/\n$/, "").split("\n").length;

/** The migration read again from its own files by its own framework, as the detector first read it. */
export function redetect(migration: Migration, own: readonly SourceFile[]): Migration | undefined {
  const multiStatement = !migration.sections.some((section) => section.oneQuery === true);
  const { migrations } = FRAMEWORKS[migration.framework].detect(own, { forced: true, golangMigrate: { multiStatement }, dialectsFiltered: true });
  const same = migrations.filter((m) => m.version === migration.version && m.name === migration.name && m.folder === migration.folder);
  return same.length === 1 ? same[0] : undefined;
}
