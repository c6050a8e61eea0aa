import type { RunKnowledge } from "./finish-tool.js";
import type { AgentFinding, HandoffReport } from "./handoff-report.js";

/**
 * The Handoff Report of a run that ended without one (turn limit, timeout, token budget, a loop):
 * what the agent read and the findings it had already submitted that were valid, labelled as a
 * partial report so that nobody mistakes it for a finished review.
 */

export const PARTIAL_REPORT_LABEL = "Partial report";
/** File paths named one by one before the rest are only counted. */
const MAX_LISTED_FILES = 30;
/** The report schema's longest list item. */
const MAX_ITEM_CHARS = 1_000;

function item(text: string): string {
  return text.length <= MAX_ITEM_CHARS ? text : `${text.slice(0, MAX_ITEM_CHARS - 1)}…`;
}

export function partialHandoffReport(knowledge: RunKnowledge, findings: readonly AgentFinding[]): HandoffReport {
  const files = knowledge.filesRead;
  const listed = files.slice(0, MAX_LISTED_FILES).join(", ");
  const more = files.length > MAX_LISTED_FILES ? ` and ${files.length - MAX_LISTED_FILES} more` : "";
  const read = files.length === 0 ? "The agent had not read any file yet." : `Files the agent read before it stopped: ${listed}${more}.`;
  const kept =
    findings.length === 0
      ? "It had submitted no finding that could be placed on a line."
      : `The ${findings.length === 1 ? "finding" : `${findings.length} findings`} below ${findings.length === 1 ? "is" : "are"} the valid part of a report it submitted.`;
  return {
    part1: {
      status: "partial",
      objectiveAchieved: item(
        `${PARTIAL_REPORT_LABEL}: the agent stopped before it submitted its Handoff Report (${knowledge.detail}); this is what it had learnt, not a finished review.`,
      ),
      decisionsMade: [],
      validation: "skipped",
      errors: [],
      scopeDeviations: [
        item(`The review did not finish: the agent stopped after ${knowledge.turns} turn${knowledge.turns === 1 ? "" : "s"} (${knowledge.detail}).`),
        item(read),
        item(kept),
      ],
    },
    part2: { keyInterfacesIntroduced: [], patternsEstablished: [], integrationPoints: [], assumptions: [], warnings: [] },
    findings: [...findings],
  };
}
