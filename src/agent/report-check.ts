import { resolveInWorkspace } from "./tools/confine.js";
import { readTextFile, splitLines } from "./tools/file-text.js";
import type { HandoffReport } from "./handoff-report.js";

/**
 * Findings must point at real lines: a path that is not a readable file of the head commit, or a
 * line past its end, goes back to the model as a validation problem instead of reaching the PR.
 */
export async function findingLocationProblems(report: HandoffReport, root: string): Promise<string[]> {
  const problems: string[] = [];
  const lineCounts = new Map<string, number | string>();
  for (const [index, finding] of report.findings.entries()) {
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
    if (typeof count === "string") problems.push(`findings.${index}.path: ${count}`);
    else if ((finding.endLine ?? finding.line) > Math.max(count, 1)) {
      problems.push(`findings.${index}.line: ${finding.path} has ${count} lines; line ${finding.endLine ?? finding.line} does not exist`);
    }
  }
  return problems;
}
