import type { Migration, SourceFile } from "../../model.js";
import { splitLines } from "./lines.js";

/**
 * `-- data-engineer: irreversible <reason>` (SQL), `# …` (Ruby, Python, Elixir, PHP) or `// …`
 * (JavaScript, TypeScript, PHP, C#): the author says the migration cannot be rolled back, and why.
 */
const MARKER = /(?:--|#|\/\/)[ \t]*data-engineer:[ \t]*irreversible\b(.*)$/i;

export type IrreversibleMarker = NonNullable<Migration["irreversible"]>;

/** The first marker in the files (or in [from, to) of one file), in the order given. */
export function findIrreversibleMarker(files: readonly SourceFile[], range?: { from: number; to: number }): IrreversibleMarker | undefined {
  for (const file of files) {
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
