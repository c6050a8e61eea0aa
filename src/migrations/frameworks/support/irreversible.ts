import type { Migration, SourceFile } from "../../model.js";
import { splitLines } from "./lines.js";

/**
 * `-- data-engineer: irreversible <reason>` (SQL), `# …` (Ruby, Python, Elixir, PHP) or `// …`
 * (JavaScript, TypeScript, PHP, C#): the author says the migration cannot be rolled back, and why.
 */
const MARKER = /(?:--|#|\/\/)[ \t]*data-engineer:[ \t]*irreversible\b(.*)$/i;
/**
 * What every marker contains. One search of the whole text settles the common case (no marker)
 * before any line is split off: detection, and the fix check for every fix it tries, read each
 * file this way. A case-insensitive literal regex measured faster here than indexOf.
 */
const MARKER_WORD = /data-engineer:/i;

export type IrreversibleMarker = NonNullable<Migration["irreversible"]>;

/** The first marker in the files (or in [from, to) of one file), in the order given. */
export function findIrreversibleMarker(files: readonly SourceFile[], range?: { from: number; to: number }): IrreversibleMarker | undefined {
  for (const file of files) {
    if (!MARKER_WORD.test(file.text)) continue;
    for (const line of splitLines(file.text)) {
      if (range && (line.start < range.from || line.start >= range.to)) continue;
      const match = MARKER.exec(line.text);
      if (!match) continue;
      const reason = (match[1] ?? "")
        .replace(/\*\/\s*$/, "")
        .trim()
        .replace(/^[:\-–—]\s*/, "");
      return { reason, path: file.path, line: line.number };
    }
  }
  return undefined;
}
