import type { Migration } from "../migrations/model.js";
import type { MigrationAnalysis } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";

/**
 * `data-engineer lint --format json`: every file with its migrations (one entry per section:
 * version, direction, transaction), with `--details` their statements with locks; then every
 * finding. Without `--details` no statement is printed: a large folder's statements are tens of
 * megabytes most readers skip, and a cached run need not keep them.
 */

export interface LintStatementJson {
  line: number;
  endLine: number;
  sql: string;
  kind: string;
  locks: Array<{ relation: string; mode: string; schema?: string; reason?: string; created?: boolean }>;
  rewrites: boolean;
  scans: boolean;
  transactional: boolean;
}

export interface LintJson {
  files: Array<{
    path: string;
    framework: string;
    migrations: Array<{
      version: string;
      name: string;
      direction: "up" | "down";
      inTransaction: boolean;
      /** With `--details` only. */
      statements?: LintStatementJson[];
    }>;
  }>;
  findings: Array<Finding & { help: string }>;
  skipped: Array<{ path: string; reason: string }>;
}

/** A migration to print: `statements` (one list per section, in the migration's order) with `--details`. */
export interface LintMigration {
  migration: Migration;
  statements?: LintStatementJson[][];
}

/** The statements of each section of an analysed migration, as `--details` prints them (the result cache keeps them). */
export function lintStatementsOf({ migration, sections }: MigrationAnalysis): LintStatementJson[][] {
  return migration.sections.map((section) =>
    (sections.find((s) => s.section === section)?.statements ?? []).map((s) => ({
      line: s.line,
      endLine: s.endLine,
      sql: s.text,
      kind: s.kind,
      locks: s.locks.locks.map((l) => ({
        relation: l.relation,
        mode: l.mode,
        ...(l.schema ? { schema: l.schema } : {}),
        ...(l.reason ? { reason: l.reason } : {}),
        ...(l.created ? { created: true } : {}),
      })),
      rewrites: s.locks.rewrites,
      scans: s.locks.scans,
      transactional: s.locks.transactional,
    })),
  );
}

export function toLintJson(
  migrations: readonly LintMigration[],
  findings: readonly Finding[],
  skipped: ReadonlyArray<{ path: string; reason: string }> = [],
): LintJson {
  const files = new Map<string, LintJson["files"][number]>();
  for (const { migration, statements } of migrations) {
    for (const path of migration.files) {
      if (!files.has(path)) files.set(path, { path, framework: migration.framework, migrations: [] });
    }
    for (const [index, section] of migration.sections.entries()) {
      files.get(section.path)?.migrations.push({
        version: migration.version,
        name: migration.name,
        direction: section.direction,
        inTransaction: section.inTransaction,
        ...(statements ? { statements: statements[index] ?? [] } : {}),
      });
    }
  }
  return {
    files: [...files.values()].sort((a, b) => (a.path < b.path ? -1 : 1)),
    findings: findings.map((f) => ({ ...f, help: f.help ?? "" })),
    skipped: [...skipped],
  };
}

/** The bytes of each write: the output goes out in pieces of about a megabyte. */
const PIECE_BYTES = 1 << 20;

/**
 * `JSON.stringify(json)` written in pieces of UTF-8, the same bytes: a large folder's report (tens
 * of megabytes) is never one string, nor one buffer for the stream. Each finding is encoded into
 * the piece where it lands: joined into one string first, a single "…" among hundreds of findings
 * made the whole string two-byte, which is slow to encode. A piece ends between two findings, so
 * each is whole UTF-8 text; a piece handed to `out` is never written to again.
 */
export function writeLintJson(json: LintJson, out: (bytes: Uint8Array) => void): void {
  let piece = Buffer.allocUnsafe(PIECE_BYTES);
  let used = 0;
  const flush = () => {
    if (used > 0) out(piece.subarray(0, used));
    piece = Buffer.allocUnsafe(PIECE_BYTES);
    used = 0;
  };
  const write = (text: string) => {
    // A UTF-16 code unit encodes to at most 3 bytes: room for 3 × length is room for the text.
    if (used + text.length * 3 > PIECE_BYTES) flush();
    if (text.length * 3 > PIECE_BYTES) out(Buffer.from(text, "utf8"));
    else used += piece.write(text, used, "utf8");
  };
  write(`{"files":${JSON.stringify(json.files)},"findings":[`);
  json.findings.forEach((finding, i) => write(`${i > 0 ? "," : ""}${JSON.stringify(finding)}`));
  write(`],"skipped":${JSON.stringify(json.skipped)}}`);
  flush();
}
