import { describe, expect, it } from "vitest";
import { HandoffReportSchema, describeReportIssues, submitReportDeclaration } from "../../src/agent/handoff-report.js";

const valid = {
  part1: { status: "success", objectiveAchieved: "Reviewed both migrations.", decisionsMade: [], validation: "pass", errors: [], scopeDeviations: [] },
  part2: { keyInterfacesIntroduced: ["table orders"], patternsEstablished: [], integrationPoints: [], assumptions: [], warnings: [] },
  findings: [{ path: "db/1.up.sql", line: 2, severity: "warning", category: "locking", message: "Blocks writes." }],
};

describe("submit_handoff_report", () => {
  it("accepts a complete report", () => {
    expect(HandoffReportSchema.safeParse(valid).success).toBe(true);
  });

  it("says which fields are wrong, by path", () => {
    const result = HandoffReportSchema.safeParse({
      ...valid,
      part1: { ...valid.part1, status: "approved" },
      findings: [{ path: "db/1.up.sql", line: 0, endLine: -1, severity: "blocker", category: "locking", message: "x", extra: 1 }],
    });
    expect(result.success).toBe(false);
    if (result.success) return;
    const text = describeReportIssues(result.error);
    expect(text).toContain("part1.status:");
    expect(text).toContain("findings.0.line:");
    expect(text).toContain("findings.0.severity:");
    expect(text).toContain("findings.0: unknown field(s) extra");
  });

  it("refuses an end line before the line", () => {
    const result = HandoffReportSchema.safeParse({ ...valid, findings: [{ ...valid.findings[0], line: 5, endLine: 3 }] });
    expect(result.success).toBe(false);
    if (!result.success) expect(describeReportIssues(result.error)).toContain("findings.0.endLine: endLine must not be before line");
  });

  it("declares its parameters as JSON Schema without the $schema key", () => {
    const declaration = submitReportDeclaration();
    expect(declaration.name).toBe("submit_handoff_report");
    expect(declaration.parametersJsonSchema).not.toHaveProperty("$schema");
    expect(declaration.parametersJsonSchema).toMatchObject({ type: "object", required: ["part1", "part2", "findings"] });
  });
});
