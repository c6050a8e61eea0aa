import { appendFile } from "node:fs/promises";
import type { CheckConclusion } from "../report/check-output.js";

/**
 * What a CI review leaves for the rest of the workflow: step outputs (GITHUB_OUTPUT, `name=value`
 * lines; action.yml maps them to the action's outputs) and the job summary (GITHUB_STEP_SUMMARY,
 * markdown shown on the run's page).
 * https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#setting-an-output-parameter
 */

/** The step outputs written, by name; action.yml's outputs read exactly these. */
export const STEP_OUTPUT_NAMES = ["findings", "conclusion"] as const;

export interface StepOutputs {
  /** Findings of the review (the analyser's and the agent's), posted before or not. */
  findings: number;
  conclusion: CheckConclusion;
}

export async function appendStepOutputs(file: string, outputs: StepOutputs): Promise<void> {
  const values: Record<(typeof STEP_OUTPUT_NAMES)[number], string> = { findings: String(outputs.findings), conclusion: outputs.conclusion };
  await appendFile(file, STEP_OUTPUT_NAMES.map((name) => `${name}=${values[name]}\n`).join(""), "utf8");
}

export async function appendStepSummary(file: string, markdown: string): Promise<void> {
  await appendFile(file, `${markdown.trimEnd()}\n`, "utf8");
}
