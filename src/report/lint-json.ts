import type { MigrationAnalysis } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";

/**
 * `data-engineer lint --format json`: every file with its migrations (one entry per section:
 * version, direction, transaction) and their statements with locks; then every finding.
 */

export interface LintJson {
  files: Array<{
    path: string;
    framework: string;
    migrations: Array<{
      version: string;
      name: string;
      direction: "up" | "down";
      inTransaction: boolean;
      statements: Array<{
        line: number;
        endLine: number;
        sql: string;
        kind: string;
        locks: Array<{ relation: string; mode: string; schema?: string; reason?: string; created?: boolean }>;
        rewrites: boolean;
        scans: boolean;
        transactional: boolean;
      }>;
    }>;
  }>;
  findings: Array<Finding & { help: string }>;
  skipped: Array<{ path: string; reason: string }>;
}

export function toLintJson(
  analyses: readonly MigrationAnalysis[],
  findings: readonly Finding[],
  skipped: ReadonlyArray<{ path: string; reason: string }> = [],
): LintJson {
  const files = new Map<string, LintJson["files"][number]>();
  for (const { migration, sections } of analyses) {
    for (const path of migration.files) {
      if (!files.has(path)) files.set(path, { path, framework: migration.framework, migrations: [] });
    }
    for (const section of migration.sections) {
      const parsed = sections.find((s) => s.section === section);
      files.get(section.path)?.migrations.push({
        version: migration.version,
        name: migration.name,
        direction: section.direction,
        inTransaction: section.inTransaction,
        statements: (parsed?.statements ?? []).map((s) => ({
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
      });
    }
  }
  return {
    files: [...files.values()].sort((a, b) => (a.path < b.path ? -1 : 1)),
    findings: findings.map((f) => ({ ...f, help: f.help ?? "" })),
    skipped: [...skipped],
  };
}
