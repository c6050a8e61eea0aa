import type { Logger } from "pino";
import { runAgentReview, type AgentOutcome, type AgentRuntime } from "../agent/agent-review.js";
import type { PullRequestText } from "../agent/review-task.js";
import type { Workspace } from "../agent/workspace/extract.js";
import { buildReview, type BuiltReview, type ReviewInput } from "./build-review.js";

/**
 * The review, with the data-engineer agent when there is one and the repository allows it: the
 * analyser's review first (its findings are the agent's input), then the agent, then the review
 * again with the agent's report merged. The app and `data-engineer review` both build it here.
 */
export interface AgentStep {
  runtime: AgentRuntime | undefined;
  pr: PullRequestText;
  openWorkspace: () => Promise<Workspace>;
  log: Logger;
  /** Ends the agent's run (a newer push, a shutdown). */
  signal?: AbortSignal;
}

export async function buildReviewWithAgent(input: ReviewInput, step: AgentStep): Promise<{ review: BuiltReview; agent?: AgentOutcome }> {
  const review = buildReview(input);
  if (!step.runtime || !input.config.agent.enabled) return { review };
  const relevantPaths = new Set(input.relevant.map((f) => f.path));
  const agent = await runAgentReview({
    runtime: step.runtime,
    config: input.config.agent,
    task: {
      pr: step.pr,
      relevant: input.relevant,
      otherChanged: (input.changed ?? []).map((f) => f.path).filter((p) => !relevantPaths.has(p)),
      findings: review.findings,
      notReviewed: input.notReviewed,
    },
    openWorkspace: step.openWorkspace,
    log: step.log,
    ...(step.signal ? { signal: step.signal } : {}),
  });
  return { review: buildReview({ ...input, agent }), agent };
}
