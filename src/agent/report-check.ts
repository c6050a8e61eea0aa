import { resolveInWorkspace } from "./tools/confine.js";
import { readTextFile, splitLines } from "./tools/file-text.js";
import type { AgentFinding, HandoffReport } from "./handoff-report.js";

/**
 * Findings must point at real lines: a path that is not a readable file of the head commit, or a
 * line past its end, goes back to the model as a validation problem instead of reaching the PR.
 */

/** Checks one finding's location; files are read once per checker. The problem names no index. */
export type LocationChecker = (finding: Pick<AgentFinding, "path" | "line" | "endLine">) => Promise<string | undefined>;

export function createLocationChecker(root: string): LocationChecker {
  const lineCounts = new Map<string, number | string>();
  return async (finding) => {
    let count = lineCounts.get(finding.path);
    if (count === undefined) {
      const resolved = await resolveInWorkspace(root, finding.path);
      if (!resolved.ok) count = resolved.message;
      else {
        try {
          const read = await readTextFile(resolved.absolute, finding.path);
          count = read.ok ? splitLines(read.text).length : read.message;
        } catch {
          count = `${finding.path} is not a readable file at the head commit`;
        }
      }
      lineCounts.set(finding.path, count);
    }
    if (typeof count === "string") return `path: ${count}`;
    const last = finding.endLine ?? finding.line;
    if (last > Math.max(count, 1)) return `line: ${finding.path} has ${count} lines; line ${last} does not exist`;
    return undefined;
  };
}

export async function findingLocationProblems(report: HandoffReport, root: string): Promise<string[]> {
  const check = createLocationChecker(root);
  const problems: string[] = [];
  for (const [index, finding] of report.findings.entries()) {
    const problem = await check(finding);
    if (problem !== undefined) problems.push(`findings.${index}.${problem}`);
  }
  return problems;
}
