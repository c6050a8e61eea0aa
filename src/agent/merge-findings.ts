import type { Finding } from "../rules/types.js";
import { compareFindings } from "../report/inline-comments.js";
import { redactSecrets } from "../report/redact.js";
import type { AgentFinding, AgentFindingCategory, HandoffReport } from "./handoff-report.js";

/**
 * The agent's findings joined to the analyser's. The analyser's findings are kept as they are:
 * the model can neither remove one nor change its severity. An agent finding on the same lines
 * and about the same kind of problem as an analyser finding is merged into it (its text added to
 * the analyser's help); the rest become findings of their own, marked as the agent's. Where they
 * are placed (inline on a changed line, or in the body) is decided later, like any finding's.
 */

/** The analyser categories an agent category can duplicate; empty means any. */
const SAME_KIND: Record<AgentFindingCategory, readonly Finding["category"][]> = {
  locking: ["locking"],
  rollback: ["rollback"],
  idempotency: ["idempotency"],
  destructive: ["destructive"],
  compatibility: ["compat", "destructive"],
  backfill: ["locking", "compat"],
  index: ["locking", "hygiene"],
  normalization: ["hygiene"],
  performance: ["locking", "hygiene"],
  other: [],
};

export interface MergedFindings {
  findings: Finding[];
  /** Agent findings folded into an analyser finding. */
  merged: number;
  /** Agent findings dropped as repeats of another agent finding. */
  repeated: number;
}

function overlaps(a: { line: number; endLine: number }, b: { line: number; endLine: number }): boolean {
  return a.line <= b.endLine && b.line <= a.endLine;
}

export function agentFinding(f: AgentFinding): Finding {
  return {
    rule: `agent/${f.category}`,
    severity: f.severity,
    category: "agent",
    path: f.path,
    line: f.line,
    endLine: f.endLine ?? f.line,
    message: redactSecrets(f.message),
    ...(f.suggestion ? { help: redactSecrets(f.suggestion) } : {}),
    origin: "agent",
  };
}

export function mergeAgentFindings(deterministic: readonly Finding[], report: HandoffReport | undefined): MergedFindings {
  const findings = deterministic.map((f) => ({ ...f }));
  const own: Finding[] = [];
  let merged = 0;
  let repeated = 0;
  for (const raw of report?.findings ?? []) {
    const candidate = agentFinding(raw);
    const kinds = SAME_KIND[raw.category];
    // The most severe analyser finding the agent's is about, if any.
    const target = findings
      .filter((f) => f.path === candidate.path && overlaps(f, candidate) && (kinds.length === 0 || kinds.includes(f.category)))
      .sort(compareFindings)[0];
    if (target) {
      const note = [candidate.message, candidate.help].filter((t) => t !== undefined).join(" ");
      target.help = `${target.help ? `${target.help} ` : ""}Agent: ${note}`;
      merged++;
      continue;
    }
    if (own.some((f) => f.path === candidate.path && f.rule === candidate.rule && overlaps(f, candidate))) {
      repeated++;
      continue;
    }
    own.push(candidate);
  }
  return { findings: [...findings, ...own], merged, repeated };
}
