import type { RelevantFile } from "../migrations/relevant-files.js";
import type { Finding } from "../rules/types.js";
import { analyserFactsSection, type AnalyserFacts } from "./analyser-facts.js";
import type { AgentDefinition } from "./definition.js";
import { SUBMIT_REPORT_TOOL } from "./handoff-report.js";
import { numberPatch } from "./numbered-patch.js";
import { untrustedDataRule, type UntrustedFence } from "./untrusted.js";

/**
 * What the agent is told: the system instruction (the agent definition's prompt, then the rules of
 * this review) and the first user turn (the pull request as delimited data, and the analyser's
 * findings). Sizes are capped so one huge diff cannot eat the token budget; what was cut is said.
 */

export const MAX_PATCH_CHARS_PER_FILE = 12_000;
export const MAX_TASK_PATCH_CHARS = 60_000;
export const MAX_DESCRIPTION_CHARS = 8_000;
export const MAX_LISTED_FINDINGS = 100;
export const MAX_LISTED_OTHER_FILES = 200;

export interface PullRequestText {
  number: number;
  title: string;
  body: string;
  author: string;
  baseRef: string;
  headSha: string;
}

export interface ReviewTaskInput {
  pr: PullRequestText;
  /** Changed migration and SQL files, with GitHub's patches. */
  relevant: readonly RelevantFile[];
  /** Every other changed file's path. */
  otherChanged: readonly string[];
  /** The analyser's findings on the changed files. */
  findings: readonly Finding[];
  notReviewed: ReadonlyArray<{ path: string; reason: string }>;
  /** What the analyser computed about the changed migrations; optional, filled by the review pipeline. */
  facts?: AnalyserFacts;
  /** Tools the definition lists that this review does not offer. */
  unavailableTools: readonly string[];
  offeredTools: readonly string[];
  maxTurns: number;
}

function cut(text: string, max: number, what: string): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n[… ${what} cut at ${max.toLocaleString("en-US")} of ${text.length.toLocaleString("en-US")} characters; read the file with read_file for the rest]`;
}

export function systemInstruction(
  definition: AgentDefinition,
  fence: UntrustedFence,
  input: Pick<ReviewTaskInput, "offeredTools" | "unavailableTools" | "maxTurns">,
): string {
  const unavailable =
    input.unavailableTools.length > 0
      ? ` The definition also lists ${input.unavailableTools.join(", ")}: those are not available in this review (it is read-only), and calling them is refused.`
      : "";
  return [
    definition.prompt,
    "## How this review runs",
    [
      `You have these read-only tools: ${input.offeredTools.join(", ")}. Paths are relative to the repository root at the pull request's head commit.${unavailable}`,
      `You have at most ${input.maxTurns} turns. Read what you need, then call ${SUBMIT_REPORT_TOOL} exactly once with the Handoff Report: its fields are Part 1 and Part 2 of the report, and findings go in its findings list (path, line in the new version, severity, category, message, suggestion) rather than in the text fields.`,
      "Findings the analyser already reported are facts: do not contradict them, and do not repeat one unless you add something to it (then give the same path and line).",
      untrustedDataRule(fence),
    ].join("\n\n"),
  ].join("\n\n");
}

function findingLine(f: Finding): string {
  return `- [${f.severity}] ${f.path}:${f.line}${f.endLine > f.line ? `-${f.endLine}` : ""} — ${f.rule} — ${f.message}${f.help ? ` (${f.help})` : ""}`;
}

export function reviewTaskMessage(input: ReviewTaskInput, fence: UntrustedFence): string {
  const { pr } = input;
  const patches: string[] = [];
  let budget = MAX_TASK_PATCH_CHARS;
  const omitted: string[] = [];
  for (const file of input.relevant) {
    const header = `### ${file.path} (${file.status}${file.previousPath ? ` from ${file.previousPath}` : ""})`;
    if (file.status === "removed") {
      patches.push(`${header}\nDeleted by this pull request.`);
      continue;
    }
    if (budget <= 0) {
      omitted.push(file.path);
      continue;
    }
    const patch = file.patch
      ? cut(numberPatch(file.patch), Math.min(MAX_PATCH_CHARS_PER_FILE, budget), "patch")
      : "(GitHub gave no patch for this file: read it with read_file.)";
    budget -= patch.length;
    patches.push(`${header}\n${patch}`);
  }
  const findings = input.findings.slice(0, MAX_LISTED_FINDINGS).map(findingLine);
  if (input.findings.length > findings.length) findings.push(`- … and ${input.findings.length - findings.length} more`);
  const others = input.otherChanged.slice(0, MAX_LISTED_OTHER_FILES);
  if (input.otherChanged.length > others.length) others.push(`… and ${input.otherChanged.length - others.length} more`);

  const facts = analyserFactsSection(input.facts, fence);
  return [
    `Review pull request #${pr.number} into \`${pr.baseRef}\` at head commit ${pr.headSha}, opened by @${pr.author}.`,
    "## The pull request's title and description",
    fence.wrap("pull request title", pr.title),
    fence.wrap("pull request description", cut(pr.body, MAX_DESCRIPTION_CHARS, "description")),
    "## Changed migration and SQL files (unified diff; each added or unchanged line starts with its line number in the new version, the one findings use; removed lines have none)",
    fence.wrap("pull request diff", patches.join("\n\n") || "(none)"),
    ...(omitted.length > 0 ? [`Patches not included to save space (read them with read_file): ${omitted.join(", ")}`] : []),
    "## Other files this pull request changes",
    fence.wrap("changed file names", others.join("\n") || "(none)"),
    ...(facts !== undefined ? [facts] : []),
    "## The analyser's findings (deterministic: parser, lock model, framework pairing)",
    fence.wrap("analyser findings, quoting names from the pull request", findings.join("\n") || "(none)"),
    ...(input.notReviewed.length > 0
      ? ["## Files the analyser could not review", fence.wrap("files not reviewed", input.notReviewed.map((n) => `- ${n.path}: ${n.reason}`).join("\n"))]
      : []),
    `Review the migrations now. Finish with ${SUBMIT_REPORT_TOOL}.`,
  ].join("\n\n");
}
