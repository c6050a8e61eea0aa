import type { Migration } from "../migrations/model.js";
import type { AnalysisResult, MigrationAnalysis } from "../rules/engine.js";
import { CreatedRelations } from "../rules/statement-state.js";
import type { AnalyzedStatement, Finding } from "../rules/types.js";
import { createdRelationNames } from "../sql/effects.js";
import { replayTree } from "./analysis-replay-trees.js";

/**
 * An analysis crossing from a worker thread to the main thread. Structured clone copies plain data
 * only: a statement's `createdRelations` (a view with `has()`) and `notNull` (functions) cannot
 * cross; the main thread rebuilds `createdRelations` the way the engine built it, and points each
 * statement back at the caller's own section object. `notNull` is read by rules only, which ran
 * in the worker.
 *
 * Nor does a statement's syntax tree cross, but an ALTER TABLE's: the Handoff Report reads its
 * subcommands (schema-changes.ts: SET NOT NULL, defaults, VALIDATE), and nothing after the analysis
 * reads any other tree but the replay, which asks for its own few (analysis-replay-trees.ts); trees are two thirds of the data. Measured on a 1 MiB migration of 27 000 statements:
 * with trees, 1.7 s of structured clone and a main-thread heap that grows by 120 MB, whose
 * collections paused the event loop for 300 ms at a time; without, a third of that. Reading
 * `node` of a statement that crossed throws, saying so, rather than give a wrong tree.
 *
 * Slices, each sent only when the main thread asks for the next one: a message port delivers
 * every queued message in one turn of the event loop, so a result sent at once would be
 * deserialised in one long turn. One slice at a time keeps each turn short.
 */

/** A statement as it crosses: what reports read, less what only rules read or cannot be cloned. */
export type PlainStatement = Omit<AnalyzedStatement, "node" | "section" | "createdRelations" | "notNull"> & { node?: AnalyzedStatement["node"] };

/** Statement kinds whose syntax tree crosses: what reports read from the tree (schema-changes.ts). */
const TREES_KEPT: ReadonlySet<string> = new Set(["AlterTableStmt"]);

/**
 * Which trees cross: "report", what the review's reports read (above); "replay", what the replay
 * reads as well (analysis-replay-trees.ts).
 */
export type TreesKept = "report" | "replay";

export type AnalysisSlice =
  /** The next statements of section `section` (its index in `migration.sections`) of migration `migration`. */
  { kind: "statements"; migration: number; section: number; statements: PlainStatement[] } | { kind: "findings"; findings: Finding[] };

/** Statements per slice: about 25 ms to deserialise on a busy 2-core machine (measured: 1.7 s for 27 000). */
export const STATEMENTS_PER_SLICE = 400;
export const FINDINGS_PER_SLICE = 2000;

function plain(statement: AnalyzedStatement, trees: TreesKept): PlainStatement {
  // `section` is restored from the caller's migration; `node` stays but for TREES_KEPT; the other two cannot be cloned.
  const copy: Partial<AnalyzedStatement> = { ...statement };
  if (trees === "replay" && !TREES_KEPT.has(statement.kind)) copy.node = replayTree(statement);
  else if (!TREES_KEPT.has(statement.kind)) delete copy.node;
  delete copy.section;
  delete copy.createdRelations;
  delete copy.notNull;
  return copy as PlainStatement;
}

/** The prototype of statements that crossed: their syntax tree stayed in the worker. */
const CROSSED: object = Object.freeze(
  Object.defineProperty({}, "node", {
    get(): never {
      throw new Error("this statement was analysed in a worker thread: its syntax tree stayed there (see analysis-transfer.ts)");
    },
  }),
);

/** The worker's side: the analysis of `migrations` as slices, in order. */
export function* analysisSlices(result: AnalysisResult, migrations: readonly Migration[], trees: TreesKept = "report"): Generator<AnalysisSlice> {
  result.migrations.forEach((analysis, m) => {
    if (migrations[m] !== analysis.migration) throw new Error("the analysis is not in the order of its migrations");
  });
  for (const [m, analysis] of result.migrations.entries()) {
    for (const { section, statements } of analysis.sections) {
      const index = analysis.migration.sections.indexOf(section);
      // A section with no statement is still a section the engine analysed (reports list it).
      for (let from = 0; from === 0 || from < statements.length; from += STATEMENTS_PER_SLICE) {
        yield {
          kind: "statements",
          migration: m,
          section: index,
          statements: statements.slice(from, from + STATEMENTS_PER_SLICE).map((statement) => plain(statement, trees)),
        };
      }
    }
  }
  for (let from = 0; from < result.findings.length; from += FINDINGS_PER_SLICE) {
    yield { kind: "findings", findings: result.findings.slice(from, from + FINDINGS_PER_SLICE) };
  }
}

/**
 * The main thread's side: collects the slices of an analysis of `migrations` (the caller's own
 * objects, in the order sent to the worker) into an AnalysisResult, statement by statement as
 * they come (a rebuild at the end would be one long turn of the event loop).
 */
export class AnalysisAssembler {
  private readonly analyses: Array<{ analysis: MigrationAnalysis; created: Record<"up" | "down", CreatedRelations>; sectionIndex?: number }>;
  private readonly findings: Finding[] = [];

  constructor(migrations: readonly Migration[]) {
    this.analyses = migrations.map((migration) => ({
      analysis: { migration, sections: [] },
      created: { up: new CreatedRelations(), down: new CreatedRelations() },
    }));
  }

  add(slice: AnalysisSlice): void {
    if (slice.kind === "findings") {
      this.findings.push(...slice.findings);
      return;
    }
    const entry = this.analyses[slice.migration];
    if (!entry) throw new Error(`an analysis slice names migration ${slice.migration} of ${this.analyses.length}`);
    const { analysis, created } = entry;
    const section = analysis.migration.sections[slice.section];
    if (!section) throw new Error(`an analysis slice names section ${slice.section} of ${analysis.migration.sections.length} in ${analysis.migration.folder}`);
    // A section's statements come in consecutive slices; a slice with another index starts the next section.
    let current = analysis.sections.at(-1);
    if (!current || entry.sectionIndex !== slice.section) {
      current = { section, statements: [] };
      analysis.sections.push(current);
      entry.sectionIndex = slice.section;
    }
    const relations = created[section.direction];
    for (const statement of slice.statements) {
      const { node, ...rest } = statement;
      const crossed = Object.assign(Object.create(CROSSED) as AnalyzedStatement, rest, { section, createdRelations: relations.snapshot() });
      // A kept tree is an own property over the prototype's throwing getter (which assignment cannot override).
      if (node !== undefined) Object.defineProperty(crossed, "node", { value: node, enumerable: true, writable: true, configurable: true });
      current.statements.push(crossed);
      // Each statement sees the relations created before it in the same migration and direction,
      // as the engine's SectionState records them: those a lock marks as created, and those its effects create.
      for (const lock of statement.locks.locks) if (lock.created) relations.add(lock.relation);
      for (const name of createdRelationNames(statement.effects)) relations.add(name);
    }
  }

  result(): AnalysisResult {
    return { migrations: this.analyses.map((entry) => entry.analysis), findings: this.findings };
  }
}
