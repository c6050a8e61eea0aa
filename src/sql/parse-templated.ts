import { parseSql, type ParsedSql, type SqlSyntaxError } from "./parse.js";
import { SourceText } from "./source-text.js";
import { PLACEHOLDER_PREFIX, maskTemplates, type MaskedRange } from "./template-mask.js";

/**
 * `parseSql` over a file that may be a template: its template expressions are masked with
 * placeholders of the same length (template-mask.ts), so the statements around them parse and
 * keep their real lines. Statements carry the file's own text (a fix built from it edits the
 * template, not the placeholder); a statement that still does not parse because of a template
 * expression is a `templateError`, not a syntax error of the migration.
 */

export interface TemplatedParse extends ParsedSql {
  /** Pieces that hold a template expression and do not parse even masked. */
  templateErrors: SqlSyntaxError[];
  /** Whether the file holds template expressions at all. */
  templated: boolean;
}

interface MaskedSource {
  source: SourceText;
  ranges: MaskedRange[];
  restore: (name: string) => string;
}

const masks = new WeakMap<SourceText, MaskedSource | null>();

function maskedSourceOf(source: SourceText): MaskedSource | undefined {
  let known = masks.get(source);
  if (known === undefined) {
    const masked = maskTemplates(source.text);
    known = masked ? { source: new SourceText(source.path, masked.text), ranges: masked.ranges, restore: masked.restore } : null;
    masks.set(source, known);
  }
  return known ?? undefined;
}

/** Every string of the parse tree that holds a placeholder, given back its template text (in place: the tree is this parse's own). */
function restoreNames(node: unknown, restore: (name: string) => string): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const value: unknown = node[i];
      if (typeof value === "string") node[i] = value.includes(PLACEHOLDER_PREFIX) ? restore(value) : value;
      else restoreNames(value, restore);
    }
  } else if (node !== null && typeof node === "object") {
    const record = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) {
      if (typeof value === "string") {
        if (value.includes(PLACEHOLDER_PREFIX)) record[key] = restore(value);
      } else restoreNames(value, restore);
    }
  }
}

const overlaps = (ranges: readonly MaskedRange[], start: number, end: number): boolean => ranges.some((r) => r.start < end && r.end > start);

export function parseTemplatedSql(source: SourceText, from = 0, to = source.text.length, options: { comments?: boolean } = {}): TemplatedParse {
  const masked = maskedSourceOf(source);
  if (!masked || !overlaps(masked.ranges, from, to)) return { ...parseSql(source, from, to, options), templateErrors: [], templated: false };
  const parsed = parseSql(masked.source, from, to, options);
  const errors: SqlSyntaxError[] = [];
  const templateErrors: SqlSyntaxError[] = [];
  for (const error of parsed.errors) (overlaps(masked.ranges, error.pieceStart, error.pieceEnd) ? templateErrors : errors).push(error);
  return {
    statements: parsed.statements.map((statement) => {
      restoreNames(statement.node, masked.restore);
      return { ...statement, text: source.text.slice(statement.start, statement.end) };
    }),
    errors,
    comments: parsed.comments,
    templateErrors,
    templated: true,
  };
}
