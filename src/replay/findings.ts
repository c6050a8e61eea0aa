import { replayDownFails, replayDownMismatch, replayReapplyFails, replayTracedLock, replayUpFails } from "../rules/replay-checks.js";
import type { Finding, Rule, Severity } from "../rules/types.js";

/**
 * What a replay can find, as findings beside the analyser's. Each check is a rule of the registry
 * (meta only, rules/replay-checks.ts): its id is stable (fingerprinted like every rule id, so a
 * finding is not posted twice), documented in docs/rules/ and answered by `/data-engineer explain`.
 */

export const REPLAY_CHECKS = {
  upFails: replayUpFails,
  downFails: replayDownFails,
  downMismatch: replayDownMismatch,
  reapplyFails: replayReapplyFails,
  tracedLock: replayTracedLock,
} as const satisfies Record<string, Rule>;

export type ReplayCheckName = keyof typeof REPLAY_CHECKS;

export function replayFinding(
  check: ReplayCheckName,
  where: { path: string; line: number; endLine?: number },
  message: string,
  help?: string,
  severity?: Severity,
): Finding {
  const rule = REPLAY_CHECKS[check];
  return {
    rule: rule.id,
    severity: severity ?? rule.meta.severity,
    category: rule.meta.category,
    path: where.path,
    line: where.line,
    endLine: where.endLine ?? where.line,
    message,
    ...(help ? { help } : {}),
  };
}
