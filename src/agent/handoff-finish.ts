import { z } from "zod";
import { createFileLines, placeByQuote } from "./finding-placement.js";
import type { FinishTool } from "./finish-tool.js";
import {
  AgentFindingSchema,
  HandoffReportSchema,
  SUBMIT_REPORT_TOOL,
  describeReportIssues,
  submitReportDeclaration,
  type AgentFinding,
  type HandoffReport,
} from "./handoff-report.js";
import { partialHandoffReport } from "./partial-report.js";
import { createLocationChecker } from "./report-check.js";

/**
 * The review's finish tool: `submit_handoff_report`, also answered under gemini-cli's name for
 * it, `complete_task`. A report whose Part 1 or Part 2 does not validate goes back to the model
 * with what to send. Findings are checked one by one (schema, then a real file and line): a bad
 * finding is reported back to the model once, and if it comes again, or no turn is left to fix
 * it, the report is accepted without it. The valid findings of every submission are kept, so a
 * run that ends without a report still has them for its partial report.
 */

/** gemini-cli's finishing tool: definitions and models written for it call this name. */
export const COMPLETE_TASK_TOOL = "complete_task";

/** The report with its findings left for one-by-one checks. */
const ReportShellSchema = HandoffReportSchema.extend({ findings: z.array(z.unknown()).max(50).describe("Findings.") });

/** What to send, for a call whose structure is wrong: the skeleton of the arguments. */
export const REPORT_SHAPE_HINT =
  `Send the Handoff Report as the arguments of ${SUBMIT_REPORT_TOOL} (not as text): ` +
  '{"part1": {"status": "success|partial|failure", "objectiveAchieved": "…", "decisionsMade": [], "validation": "pass|fail|skipped", "errors": [], "scopeDeviations": []}, ' +
  '"part2": {"keyInterfacesIntroduced": [], "patternsEstablished": [], "integrationPoints": [], "assumptions": [], "warnings": []}, ' +
  '"findings": [{"path": "db/migrate/001.sql", "line": 3, "severity": "error|warning|note", "category": "locking", "message": "…", "suggestion": "…"}]}. ' +
  "Every list may be empty; every field shown is required except endLine and suggestion.";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const looksLikeReport = (value: Record<string, unknown>) => "part1" in value || "part2" in value || "findings" in value;

/**
 * The report inside a call's arguments. gemini-cli's complete_task wraps its output in one named
 * parameter (`result` by default, as text or as an object); a JSON text is read as the object.
 * A text that is not JSON cannot be read reliably, so it comes back as a problem saying what to send.
 */
export function unwrapReportArguments(args: Record<string, unknown>): Record<string, unknown> | string {
  if (looksLikeReport(args)) return args;
  const values = Object.values(args);
  if (values.length === 1) {
    const only = values[0];
    if (isRecord(only) && looksLikeReport(only)) return only;
    if (typeof only === "string") {
      try {
        const parsed: unknown = JSON.parse(only);
        if (isRecord(parsed) && looksLikeReport(parsed)) return parsed;
      } catch {
        // Markdown or prose: said below.
      }
      return `The report came as text; it must come as structured fields. ${REPORT_SHAPE_HINT}`;
    }
  }
  return `(top level): no part1, part2 or findings in the arguments. ${REPORT_SHAPE_HINT}`;
}

/** A stable key for one submitted finding, to know whether its problem was already sent back. */
function findingKey(raw: unknown): string {
  return JSON.stringify(raw) ?? "undefined";
}

/** Findings on the lines their quotes are on; those whose quote is nowhere go to the body, as warnings. */
async function placeFindings(findings: readonly AgentFinding[], root: string): Promise<{ findings: AgentFinding[]; toBody: string[]; notes: string[] }> {
  const linesOf = createFileLines(root);
  const out: AgentFinding[] = [];
  const toBody: string[] = [];
  const notes: string[] = [];
  for (const finding of findings) {
    const lines = await linesOf(finding.path);
    const placement = lines === undefined ? ({ kind: "kept", finding } as const) : placeByQuote(finding, lines);
    if (placement.kind === "unplaced") {
      const where = `${finding.path}:${finding.line}`;
      toBody.push(`${where} (not placed on a line: what it quotes is not in the file) — ${finding.message}`.slice(0, 1_000));
      notes.push(`${where}: moved to the body, its quote is not in the file`);
      continue;
    }
    if (placement.kind === "moved") notes.push(`${finding.path}:${placement.from}: moved to line ${placement.finding.line}, where its quote is`);
    out.push(placement.finding);
  }
  return { findings: out, toBody, notes };
}

export function handoffReportFinish(): FinishTool<HandoffReport> {
  /** Valid findings of the latest submission, for a partial report. */
  let salvaged: AgentFinding[] = [];
  /** Findings whose problems were already sent back once. */
  const reported = new Set<string>();
  return {
    declaration: submitReportDeclaration(),
    aliases: [COMPLETE_TASK_TOOL],
    async accept(rawArgs, ctx) {
      const args = unwrapReportArguments(rawArgs);
      if (typeof args === "string") return { problems: [args] };

      const check = createLocationChecker(ctx.workspaceRoot);
      const good: AgentFinding[] = [];
      const bad: Array<{ key: string; problem: string }> = [];
      const rawFindings = Array.isArray(args.findings) ? args.findings.slice(0, 50) : [];
      for (const [index, raw] of rawFindings.entries()) {
        const parsed = AgentFindingSchema.safeParse(raw);
        const problem = parsed.success
          ? await check(parsed.data).then((p) => (p === undefined ? undefined : `findings.${index}.${p}`))
          : describeReportIssues(parsed.error, ["findings", index]);
        if (problem === undefined && parsed.success) good.push(parsed.data);
        else bad.push({ key: findingKey(raw), problem: problem ?? `findings.${index}: not valid` });
      }
      if (good.length > 0 || salvaged.length === 0) salvaged = good;

      const shell = ReportShellSchema.safeParse(args);
      if (!shell.success) {
        return { problems: [describeReportIssues(shell.error), ...bad.map((b) => b.problem), REPORT_SHAPE_HINT] };
      }
      const unreported = bad.filter((b) => !reported.has(b.key));
      for (const b of bad) reported.add(b.key);
      if (unreported.length > 0 && !ctx.final) {
        return {
          problems: [...bad.map((b) => b.problem), "Fix or remove these findings and call again; a finding sent again unchanged is left out of the report."],
        };
      }
      const placed = await placeFindings(good, ctx.workspaceRoot);
      const warnings = [...shell.data.part2.warnings, ...placed.toBody].slice(0, 20);
      return {
        value: { ...shell.data, part2: { ...shell.data.part2, warnings }, findings: placed.findings },
        dropped: [...bad.map((b) => b.problem), ...placed.notes],
      };
    },
    partial: (knowledge) => partialHandoffReport(knowledge, salvaged),
  };
}
