import type { AnalysisConfig } from "../config/analysis-config.js";
import type { Migration, SourceFile } from "../migrations/model.js";
import type { AnalysisSlice, TreesKept } from "./analysis-transfer.js";

/** What the main thread and an analysis worker (analysis-worker.ts) say to each other. */

export type ToAnalysisWorker =
  /** Analyse these migrations; one request at a time per worker. `trees`: which syntax trees cross back (analysis-transfer.ts). */
  | { type: "analyse"; id: number; files: readonly SourceFile[]; migrations: readonly Migration[]; config: AnalysisConfig; trees: TreesKept }
  /** Send the next slice of the finished analysis. */
  | { type: "next"; id: number };

export type FromAnalysisWorker =
  /** The parser is loaded and migration 0 is being analysed. */
  | { type: "begin"; id: number }
  /** Migration `index` is analysed (parsed, walked, its rules run); the next one starts. */
  | { type: "migration-done"; id: number; index: number }
  /** The analysis is complete: slices follow, one per `next`, then `done`. `parserMemoryBytes`: the parser's WebAssembly memory now. */
  | { type: "analysed"; id: number; parserMemoryBytes: number }
  | { type: "slice"; id: number; slice: AnalysisSlice }
  | { type: "done"; id: number }
  /** The analysis threw: a defect, reported as the in-process analysis would throw it. */
  | { type: "failed"; id: number; message: string; stack?: string };
