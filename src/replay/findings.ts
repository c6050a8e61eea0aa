import type { Category, Finding, Severity } from "../rules/types.js";

/**
 * What a replay can find, as findings beside the analyser's. The ids are stable (they are
 * fingerprinted like rule ids, so a finding is not posted twice) and documented in the README.
 */

export interface ReplayCheck {
  id: string;
  severity: Severity;
  category: Category;
  description: string;
}

export const REPLAY_CHECKS = {
  upFails: {
    id: "replay-up-fails",
    severity: "error",
    category: "rollback",
    description: "The migration's up fails when replayed on the schema its predecessors build.",
  },
  downFails: {
    id: "replay-down-fails",
    severity: "error",
    category: "rollback",
    description: "The migration's down fails when replayed right after its up.",
  },
  downMismatch: {
    id: "replay-down-mismatch",
    severity: "warning",
    category: "rollback",
    description: "After up then down, the schema differs from the schema before up: the down does not restore it.",
  },
  reapplyFails: {
    id: "replay-reapply-fails",
    severity: "error",
    category: "rollback",
    description: "After up then down, up cannot be applied again.",
  },
  tracedLock: {
    id: "replay-traced-lock",
    severity: "warning",
    category: "locking",
    description: "Postgres took a stronger lock than the static lock model predicted; the traced lock is the one that holds.",
  },
} as const satisfies Record<string, ReplayCheck>;

export type ReplayCheckName = keyof typeof REPLAY_CHECKS;

export function replayFinding(
  check: ReplayCheckName,
  where: { path: string; line: number; endLine?: number },
  message: string,
  help?: string,
  severity?: Severity,
): Finding {
  const meta = REPLAY_CHECKS[check];
  return {
    rule: meta.id,
    severity: severity ?? meta.severity,
    category: meta.category,
    path: where.path,
    line: where.line,
    endLine: where.endLine ?? where.line,
    message,
    ...(help ? { help } : {}),
  };
}
