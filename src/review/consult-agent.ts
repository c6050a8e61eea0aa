import type { Logger } from "pino";
import { runAgentReview, type AgentOutcome, type AgentRuntime } from "../agent/agent-review.js";
import type { PullRequestText } from "../agent/review-task.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { ChangedFile, RelevantFile } from "../migrations/relevant-files.js";
import type { AnalysisResult } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";
import { analyserFactsOf } from "./agent-facts.js";
import type { Head } from "./head.js";

export interface AgentStepInput {
  /** The data-engineer agent, when this process has a model key. */
  runtime: AgentRuntime | undefined;
  config: RepoConfig;
  pr: PullRequestText;
  relevant: readonly RelevantFile[];
  /** Every file the pull request changes: the agent sees their names. */
  changed: readonly ChangedFile[];
  /** The analyser's and the replay's findings on the changed files: the agent's starting point. */
  findings: readonly Finding[];
  notReviewed: ReadonlyArray<{ path: string; reason: string }>;
  /** The analysis of step 3: its locks, transaction modes and the table sizes reach the agent as trusted facts. */
  analysis: AnalysisResult;
  head: Head;
  log: Logger;
  /** Ends the agent's run (a newer push, a shutdown). */
  signal?: AbortSignal;
}

/**
 * Step 5 of the review, when there is an agent and the repository allows it: the data-engineer
 * agent reads the head commit's tree with the findings in hand and writes its Handoff Report.
 * It never throws; what fails is the outcome's terminate reason.
 */
export async function consultAgent(input: AgentStepInput): Promise<AgentOutcome | undefined> {
  if (!input.runtime || input.relevant.length === 0) return undefined;
  if (!input.config.agent.enabled) {
    input.log.info("agent turned off by the repository's configuration");
    return undefined;
  }
  const relevantPaths = new Set(input.relevant.map((f) => f.path));
  const { head, signal } = input;
  return runAgentReview({
    runtime: input.runtime,
    config: input.config.agent,
    task: {
      pr: input.pr,
      relevant: input.relevant,
      otherChanged: input.changed.map((f) => f.path).filter((p) => !relevantPaths.has(p)),
      findings: input.findings,
      notReviewed: input.notReviewed,
      // Built only when the agent runs: most reviews have no agent.
      facts: analyserFactsOf(input.analysis, input.config, input.relevant),
    },
    openWorkspace: () => head.openWorkspace(signal),
    log: input.log,
    ...(signal ? { signal } : {}),
  });
}
