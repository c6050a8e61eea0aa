import { LINT_OPTIONS } from "./commands/lint.js";
import { REPLAY_OPTIONS } from "./commands/replay.js";
import { REVIEW_OPTIONS } from "./commands/review.js";
import { optionsMarkdownTable, type CliOptions } from "./options.js";

/**
 * The README's option tables of the commands, between markers, generated from the tables the
 * commands parse with: `npm run readme:cli` rewrites them, a test fails when one is behind.
 */

/** The commands whose options the README lists, and their option tables. */
export const DOCUMENTED_OPTIONS: Readonly<Record<string, CliOptions>> = { review: REVIEW_OPTIONS, lint: LINT_OPTIONS, replay: REPLAY_OPTIONS };

const BLOCK = /(<!-- options of `data-engineer (\w+)`: [^\n]*-->\n)([\s\S]*?)(<!-- end of options -->)/g;

/** The marked option tables in `readme`, by command, as written. */
export function readmeOptionTables(readme: string): Map<string, string[]> {
  const tables = new Map<string, string[]>();
  for (const [, , command = "", table = ""] of readme.matchAll(BLOCK)) tables.set(command, [...(tables.get(command) ?? []), table.trim()]);
  return tables;
}

/** `readme` with every marked option table generated anew; throws on a marker for a command without options. */
export function withCurrentOptionTables(readme: string): string {
  return readme.replace(BLOCK, (_block, open: string, command: string, _table: string, close: string) => {
    const options = DOCUMENTED_OPTIONS[command];
    if (!options) throw new Error(`README: options of data-engineer ${command}, which has no option table`);
    // Blank lines around the table: a table that touches an HTML comment may not render as one.
    return `${open}\n${optionsMarkdownTable(options)}\n\n${close}`;
  });
}
