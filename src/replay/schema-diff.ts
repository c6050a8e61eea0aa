import { compareEntries, entryLabel, type FingerprintEntry, type FingerprintKind, type SchemaFingerprint } from "./fingerprint.js";

/**
 * What differs between two schema fingerprints, in words a reviewer reads: typically the schema
 * before a migration's up and after its down, where every difference is something the down did
 * not undo.
 */

export interface SchemaDifference {
  kind: FingerprintKind;
  /** The object's qualified name, as in the fingerprint (`public.orders.quantity`). */
  object: string;
  /** missing: only in `before`; extra: only in `after`; changed: in both, with another definition. */
  change: "missing" | "extra" | "changed";
  /** The definition in `before`, when the object is there. */
  before?: string;
  /** The definition in `after`, when the object is there. */
  after?: string;
  message: string;
}

/** How messages name the two moments. */
export interface DiffMoments {
  before: string;
  after: string;
}

const UP_DOWN: DiffMoments = { before: "before up", after: "after down" };

/** Longest definition quoted inline in a message; longer ones are left to `before`/`after`. */
const INLINE_LIMIT = 200;

/** Kinds whose definition is a statement or a query: shown as "definition changed", never inline as "X before, Y after". */
const CODE_KINDS = new Set<FingerprintKind>(["view", "materialized view", "function", "procedure", "aggregate", "trigger", "rule", "policy", "statistics"]);

/**
 * The differences, sorted like fingerprint entries (by kind, then object). A table whose column
 * order differs only because a column is missing or extra gets no column-order difference: the
 * column's own difference says it. A table missing or extra as a whole is one difference, without
 * its columns, constraints, triggers, policies and comments. `moments` names the two sides in
 * messages ("before up" / "after down" unless given).
 */
export function diffFingerprints(before: SchemaFingerprint, after: SchemaFingerprint, moments: DiffMoments = UP_DOWN): SchemaDifference[] {
  const keyOf = (e: FingerprintEntry): string => `${e.kind}\u0000${e.object}`;
  const beforeByKey = new Map(before.entries.map((e) => [keyOf(e), e]));
  const afterByKey = new Map(after.entries.map((e) => [keyOf(e), e]));
  const differences: SchemaDifference[] = [];
  for (const old of before.entries) {
    const now = afterByKey.get(keyOf(old));
    if (!now) differences.push(missing(old, moments));
    else if (now.definition !== old.definition) {
      const difference = changed(old, now, moments);
      if (difference) differences.push(difference);
    }
  }
  for (const now of after.entries) {
    if (!beforeByKey.has(keyOf(now))) differences.push(extra(now, moments));
  }
  return withoutPartsOfWholeTables(differences).sort(compareEntries);
}

const TABLE_KINDS = new Set<FingerprintKind>(["table", "partitioned table", "foreign table"]);
/** Kinds whose object is `<table>.<name>`. */
const TABLE_PARTS = new Set<FingerprintKind>(["column", "constraint", "trigger", "rule", "policy"]);

/**
 * A table that is missing or extra as a whole is one difference: its column order, columns,
 * constraints, triggers, rules, policies and comments, missing or extra with it, are left out.
 * (Its indexes and sequences are named on their own, so they stay.)
 */
function withoutPartsOfWholeTables(differences: SchemaDifference[]): SchemaDifference[] {
  const whole = new Map<string, SchemaDifference["change"]>();
  for (const d of differences) if (TABLE_KINDS.has(d.kind) && d.change !== "changed") whole.set(d.object, d.change);
  if (whole.size === 0) return differences;
  const tableOf = (d: SchemaDifference): string | undefined => {
    if (d.kind === "column order") return d.object;
    if (TABLE_PARTS.has(d.kind)) return [...whole.keys()].find((t) => d.object.startsWith(`${t}.`));
    if (d.kind === "comment") {
      if (d.object.startsWith("table ")) return d.object.slice("table ".length);
      if (d.object.startsWith("column ")) return [...whole.keys()].find((t) => d.object.startsWith(`column ${t}.`));
    }
    return undefined;
  };
  return differences.filter((d) => {
    if (d.change === "changed") return true;
    const table = tableOf(d);
    return table === undefined || whole.get(table) !== d.change;
  });
}

/** Kinds whose definition says nothing worth quoting when the object is missing or extra as a whole. */
const UNQUOTED_WHEN_WHOLE = new Set<FingerprintKind>([...TABLE_KINDS, "column order"]);

function missing(entry: FingerprintEntry, moments: DiffMoments): SchemaDifference {
  const shown = UNQUOTED_WHEN_WHOLE.has(entry.kind) ? undefined : inline(entry.kind, entry.definition);
  return {
    kind: entry.kind,
    object: entry.object,
    change: "missing",
    before: entry.definition,
    message: `${entryLabel(entry.kind, entry.object)}: existed ${moments.before}${shown ? ` (${shown})` : ""}, missing ${moments.after}`,
  };
}

function extra(entry: FingerprintEntry, moments: DiffMoments): SchemaDifference {
  const shown = UNQUOTED_WHEN_WHOLE.has(entry.kind) ? undefined : inline(entry.kind, entry.definition);
  return {
    kind: entry.kind,
    object: entry.object,
    change: "extra",
    after: entry.definition,
    message: `${entryLabel(entry.kind, entry.object)}: did not exist ${moments.before}, exists ${moments.after}${shown ? ` (${shown})` : ""}`,
  };
}

function changed(old: FingerprintEntry, now: FingerprintEntry, moments: DiffMoments): SchemaDifference | undefined {
  const message = changeMessage(old, now, moments);
  if (message === undefined) return undefined;
  return { kind: old.kind, object: old.object, change: "changed", before: old.definition, after: now.definition, message };
}

function changeMessage(old: FingerprintEntry, now: FingerprintEntry, moments: DiffMoments): string | undefined {
  const label = entryLabel(old.kind, old.object);
  const { before, after } = moments;
  switch (old.kind) {
    case "column order":
      return columnOrderMessage(label, parseList(old.definition), parseList(now.definition), moments);
    case "enum":
      return enumMessage(label, parseList(old.definition), parseList(now.definition), moments);
    case "constraint":
      if (old.definition === `${now.definition} NOT VALID`)
        return `${label}: is validated ${after} and was NOT VALID ${before} (VALIDATE CONSTRAINT is not undone)`;
      if (now.definition === `${old.definition} NOT VALID`) return `${label}: is NOT VALID ${after} and was validated ${before}`;
      break;
    case "comment":
      return `${label}: ${quoted(old.definition)} ${before}, ${quoted(now.definition)} ${after}`;
    default:
      break;
  }
  const was = inline(old.kind, old.definition);
  const is = inline(now.kind, now.definition);
  if (CODE_KINDS.has(old.kind)) {
    if (was && is) return `${label}: definition changed; ${before}: ${was}; ${after}: ${is}`;
    return `${label}: definition changed between ${before} and ${after}`;
  }
  if (was && is) return `${label}: ${was} ${before}, ${is} ${after}`;
  return `${label}: definition changed between ${before} and ${after}`;
}

/**
 * One message per table. Undefined when the columns both sides have keep their relative order:
 * the order then differs only by a missing or extra column, which has its own difference.
 */
function columnOrderMessage(label: string, old: string[], now: string[], moments: DiffMoments): string | undefined {
  const common = new Set(old.filter((c) => now.includes(c)));
  const oldCommon = old.filter((c) => common.has(c));
  const nowCommon = now.filter((c) => common.has(c));
  if (oldCommon.join("\u0000") === nowCommon.join("\u0000")) return undefined;
  const movedLast = now.length > 0 && now.at(-1) !== old.at(-1) && old.includes(now.at(-1) as string);
  const hint = movedLast ? " (re-adding a dropped column puts it last)" : "";
  return `${label}: column order ${old.join(", ")} ${moments.before}; ${now.join(", ")} ${moments.after}${hint}`;
}

function enumMessage(label: string, old: string[], now: string[], moments: DiffMoments): string {
  const added = now.filter((v) => !old.includes(v));
  const keptInOrder = now.filter((v) => old.includes(v)).join("\u0000") === old.join("\u0000");
  if (keptInOrder && added.length > 0) {
    const values = added.map((v) => `"${v}"`).join(", ");
    const noun = added.length === 1 ? "the value" : "the values";
    return `${label}: ${moments.after} it has ${noun} ${values} it did not have ${moments.before} (Postgres cannot drop an enum value)`;
  }
  return `${label}: values ${old.join(", ")} ${moments.before}; ${now.join(", ")} ${moments.after}`;
}

/** The definition as a message shows it: lists joined, whitespace collapsed; undefined when too long to quote. */
function inline(kind: FingerprintKind, definition: string): string | undefined {
  const text = kind === "enum" || kind === "column order" ? parseList(definition).join(", ") : definition.replace(/\s+/g, " ").trim();
  if (text === "" || text.length > INLINE_LIMIT) return undefined;
  return kind === "comment" ? quoted(text) : text;
}

function quoted(text: string): string {
  return JSON.stringify(text);
}

/** The JSON array of strings that "enum" and "column order" definitions hold. */
function parseList(definition: string): string[] {
  try {
    const value: unknown = JSON.parse(definition);
    if (Array.isArray(value)) return value.map(String);
  } catch {
    // not a list: fall through
  }
  return [definition];
}
