import { z } from "zod";
import { functionParameters } from "./function-parameters.js";

/**
 * The agent's final answer: the Handoff Report the agent definition asks for, as the parameters
 * of one function, `submit_handoff_report`. The loop validates the model's arguments with this
 * schema and sends any problem back to the model; the report is rendered by data-engineer, so
 * the model fills fields and never writes the review's Markdown itself.
 */

export const SUBMIT_REPORT_TOOL = "submit_handoff_report";

export const AGENT_FINDING_CATEGORIES = [
  "locking",
  "rollback",
  "idempotency",
  "destructive",
  "compatibility",
  "backfill",
  "index",
  "normalization",
  "performance",
  "other",
] as const;

export type AgentFindingCategory = (typeof AGENT_FINDING_CATEGORIES)[number];

const line = (what: string) => z.string().trim().min(1).max(1_000).describe(what);
const lines = (what: string) => z.array(line("One item.")).max(20).describe(`${what} Empty list for none.`);

export const AgentFindingSchema = z
  .strictObject({
    path: z.string().min(1).max(500).describe("Path of the file, relative to the repository root, exactly as in the pull request."),
    line: z.int().min(1).describe("First line of the finding in the new (head) version of the file, 1-based."),
    endLine: z.int().min(1).optional().describe("Last line, when the finding spans several lines."),
    severity: z
      .enum(["error", "warning", "note"])
      .describe("error: blocks the merge (data loss, outage, broken deploy); warning: risky, needs a decision; note: worth knowing."),
    category: z.enum(AGENT_FINDING_CATEGORIES).describe("What kind of problem it is."),
    message: z.string().trim().min(1).max(1_500).describe("What locks or breaks, and why, in one or two sentences."),
    suggestion: z.string().trim().min(1).max(1_500).optional().describe("What to do instead."),
  })
  .refine((f) => f.endLine === undefined || f.endLine >= f.line, { message: "endLine must not be before line", path: ["endLine"] });

export type AgentFinding = z.infer<typeof AgentFindingSchema>;

export const HandoffReportSchema = z.strictObject({
  part1: z
    .strictObject({
      status: z.enum(["success", "partial", "failure"]).describe("success: every changed migration was reviewed in full."),
      objectiveAchieved: line("One sentence: were the pull request's migrations reviewed in full, and are they safe to merge?"),
      decisionsMade: lines("Judgement calls made during the review, each with its rationale."),
      validation: z.enum(["pass", "fail", "skipped"]).describe("pass when no error-severity finding remains."),
      errors: lines("Files that could not be read or understood, with the reason."),
      scopeDeviations: lines("Changed files not reviewed, and why."),
    })
    .describe("Part 1 — Task Report."),
  part2: z
    .strictObject({
      keyInterfacesIntroduced: lines("Tables, columns, indexes, constraints and types the pull request adds or changes."),
      patternsEstablished: lines("Migration patterns later pull requests should follow."),
      integrationPoints: lines("Application code that must change with these migrations, with paths."),
      assumptions: lines("What you assumed (table sizes, traffic, deploy order) that someone should verify."),
      warnings: lines("Locks, rewrites, rollout order and irreversible steps the deployer must know about."),
    })
    .describe("Part 2 — Downstream Context."),
  findings: z
    .array(AgentFindingSchema)
    .max(50)
    .describe("Findings on exact lines of the pull request's new version. Do not repeat the analyser's findings unless you add to them."),
});

export type HandoffReport = z.infer<typeof HandoffReportSchema>;

/** The function declaration the model sees for its final answer. */
export function submitReportDeclaration(): { name: string; description: string; parametersJsonSchema: object } {
  return {
    name: SUBMIT_REPORT_TOOL,
    description:
      "Finish the review by submitting the Handoff Report. Call it exactly once, when you are done reading; it ends the review. Arguments that do not validate come back with the reason: fix them and call again.",
    parametersJsonSchema: functionParameters(HandoffReportSchema),
  };
}

/**
 * The validation problems of a report, one per line, each with the field it is about; `prefix` is
 * where the validated value sits in the report (e.g. ["findings", 2] for one finding).
 */
export function describeReportIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): string {
  return error.issues
    .map((issue) => {
      const where = [...prefix, ...issue.path].map(String).join(".") || "(top level)";
      if (issue.code === "unrecognized_keys") return `${where}: unknown field(s) ${issue.keys.join(", ")}`;
      return `${where}: ${issue.message}`;
    })
    .join("\n");
}
