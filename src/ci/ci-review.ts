import type { Logger } from "pino";
import type { AgentRuntime } from "../agent/agent-review.js";
import type { RepoConfig } from "../config/repo-config.js";
import { PullRequestClient, type ReportChannel } from "../github/pull-request-client.js";
import { realClock, type Clock } from "../github/rate-limit.js";
import { octokitForToken } from "../github/token-octokit.js";
import type { CheckResult } from "../report/check-output.js";
import type { FailOn } from "../report/check-verdict.js";
import type { BuiltReview } from "../review/compose.js";
import { reviewPullRequest } from "../review/run-review.js";
import type { CiPullRequest } from "./github-environment.js";
import { headInCheckout } from "./checkout-head.js";
import type { ReplayRunner } from "../replay/verify.js";

/**
 * `data-engineer review --github`: the app's review of a pull request, run from the repository's
 * own CI. It is the app's pipeline and publisher (reviewPullRequest with a PullRequestClient: the
 * same check run, re-review fingerprints, 422 fallback and head check), with two differences: the
 * head commit's files come from the job's checkout, and the client is an @octokit/rest Octokit on
 * the workflow's token, which falls back to a commit status when it may not create check runs, and
 * publishes nothing when it may not even set a status (a fork's read-only token): the caller then
 * shows the review in the job's log.
 */

export interface CiReviewOptions {
  pr: CiPullRequest;
  /** The git checkout holding the pull request's head commit. */
  repoDir: string;
  /** A configuration given on the command line; `.github/data-engineer.yml` of the default branch otherwise. */
  config?: RepoConfig;
  /** Overrides the configuration's `failOn`. */
  failOn?: FailOn;
  agent?: AgentRuntime;
  /** Replays migrations when the configuration enables `replay`. */
  replay?: ReplayRunner;
  userAgent: string;
  log: Logger;
  clock?: Clock;
}

export interface CiReviewOutcome {
  result: CheckResult;
  /** The review built (its findings, body and comments); undefined when nothing was reviewed (no migrations, skipped, failed). */
  review: BuiltReview | undefined;
  reportedAs: ReportChannel;
}

export async function runCiReview(options: CiReviewOptions): Promise<CiReviewOutcome> {
  const { pr, log } = options;
  const head = await headInCheckout(options.repoDir, pr.headSha);
  const octokit = octokitForToken({ token: pr.token, baseUrl: pr.apiUrl, userAgent: options.userAgent, log });
  const client = new PullRequestClient(octokit, { owner: pr.owner, repo: pr.repo, pullNumber: pr.number, headSha: pr.headSha }, options.clock ?? realClock, {
    rereviewButton: false,
    commitStatusFallback: { publishNothingWhenReadOnly: true, ...(pr.runUrl ? { targetUrl: pr.runUrl } : {}) },
  });
  const { config, failOn } = options;
  let built: BuiltReview | undefined;
  const result = await reviewPullRequest({
    client,
    pr: pr.facts,
    log,
    head,
    loadConfig: async () => {
      const loaded = config ?? (await client.repoConfig()).config;
      return failOn ? { ...loaded, failOn } : loaded;
    },
    onReview: (review) => {
      built = review;
    },
    ...(options.agent ? { agent: options.agent } : {}),
    ...(options.replay ? { replay: options.replay } : {}),
  });
  return { result, review: built, reportedAs: client.reportedAs };
}
