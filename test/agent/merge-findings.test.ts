import { describe, expect, it } from "vitest";
import type { HandoffReport } from "../../src/agent/handoff-report.js";
import { mergeAgentFindings } from "../../src/agent/merge-findings.js";
import type { Finding } from "../../src/rules/types.js";

const analyserFinding: Finding = {
  rule: "require-concurrent-index",
  severity: "error",
  category: "locking",
  path: "db/migrations/002_idx.up.sql",
  line: 3,
  endLine: 4,
  message: "CREATE INDEX blocks writes to orders while it builds.",
  help: "Use CREATE INDEX CONCURRENTLY.",
};

function report(findings: HandoffReport["findings"]): HandoffReport {
  return {
    part1: { status: "success", objectiveAchieved: "Reviewed.", decisionsMade: [], validation: "pass", errors: [], scopeDeviations: [] },
    part2: { keyInterfacesIntroduced: [], patternsEstablished: [], integrationPoints: [], assumptions: [], warnings: [] },
    findings,
  };
}

describe("mergeAgentFindings", () => {
  it("keeps every analyser finding with its severity, whatever the agent says", () => {
    const merged = mergeAgentFindings(
      [analyserFinding],
      report([{ path: analyserFinding.path, line: 3, severity: "note", category: "locking", message: "This is fine, orders is small." }]),
    );
    expect(merged.findings).toHaveLength(1);
    expect(merged.findings[0]?.severity).toBe("error");
    expect(merged.findings[0]?.rule).toBe("require-concurrent-index");
    expect(merged.findings[0]?.help).toBe("Use CREATE INDEX CONCURRENTLY. Agent: This is fine, orders is small.");
    expect(merged.merged).toBe(1);
  });

  it("adds an agent finding of another kind on the same lines as a finding of its own", () => {
    const merged = mergeAgentFindings(
      [analyserFinding],
      report([{ path: analyserFinding.path, line: 4, severity: "warning", category: "rollback", message: "The down file drops a different index name." }]),
    );
    expect(merged.findings.map((f) => [f.rule, f.origin])).toEqual([
      ["require-concurrent-index", undefined],
      ["agent/rollback", "agent"],
    ]);
    expect(merged.merged).toBe(0);
  });

  it("drops an agent finding that repeats another agent finding", () => {
    const same = {
      path: "app/models/order.rb",
      line: 10,
      severity: "warning" as const,
      category: "compatibility" as const,
      message: "Still reads orders.legacy_total.",
    };
    const merged = mergeAgentFindings([], report([same, { ...same, line: 10, message: "Again." }]));
    expect(merged.findings).toHaveLength(1);
    expect(merged.repeated).toBe(1);
  });

  it("redacts secrets in the agent's text", () => {
    const merged = mergeAgentFindings(
      [],
      report([
        {
          path: "config/db.yml",
          line: 2,
          severity: "error",
          category: "other",
          message: "Committed URL postgres://app:hunter22@db.internal/prod",
          suggestion: "Rotate ghp_abcdefghijklmnopqrstuvwxyz0123456789AB",
        },
      ]),
    );
    expect(merged.findings[0]?.message).toBe("Committed URL postgres://app:[REDACTED]@db.internal/prod");
    expect(merged.findings[0]?.help).toBe("Rotate [REDACTED]");
  });

  it("returns the analyser's findings unchanged without a report", () => {
    expect(mergeAgentFindings([analyserFinding], undefined).findings).toEqual([analyserFinding]);
  });
});
