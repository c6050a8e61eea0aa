import type { Context, Probot } from "probot";
import type { AgentRuntime } from "../agent/agent-review.js";
import { PullRequestClient } from "../github/pull-request-client.js";
import { reviewPullRequest } from "../review/run-review.js";

/** The pull request events that get a check run: every new head commit, and a draft turning ready. */
export const PULL_REQUEST_EVENTS = [
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.synchronize",
  "pull_request.ready_for_review",
] as const;

type PullRequestContext = Context<(typeof PULL_REQUEST_EVENTS)[number]>;

export async function handlePullRequest(context: PullRequestContext, agent?: AgentRuntime): Promise<void> {
  const { pull_request: pr, repository } = context.payload;
  const log = context.log.child({
    deliveryId: context.id,
    repo: repository.full_name,
    pr: pr.number,
    headSha: pr.head.sha,
  });
  log.debug({ action: context.payload.action }, "pull request event");
  const client = new PullRequestClient(context.octokit, {
    owner: repository.owner.login,
    repo: repository.name,
    pullNumber: pr.number,
    headSha: pr.head.sha,
  });
  await reviewPullRequest({
    client,
    pr: {
      draft: pr.draft === true,
      author: pr.user?.login ?? "",
      labels: (pr.labels ?? []).map((label) => label.name),
      baseRef: pr.base.ref,
      changedFiles: pr.changed_files ?? 0,
      title: pr.title,
      body: pr.body ?? "",
    },
    log,
    ...(agent ? { agent } : {}),
  });
}

export function registerPullRequestHandler(app: Probot, agent?: AgentRuntime): void {
  app.on([...PULL_REQUEST_EVENTS], (context) => handlePullRequest(context, agent));
}
