import type { Logger } from "pino";
import type { AgentOutcome, AgentRuntime } from "../agent/agent-review.js";
import type { PullRequestText } from "../agent/review-task.js";
import { workspaceFromGitHub } from "../agent/workspace/sources.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { PullRequestClient } from "../github/pull-request-client.js";
import type { ChangedFile, RelevantFile } from "../migrations/relevant-files.js";
import type { CheckAnnotation } from "../report/check-verdict.js";
import { supersededByCommit, type CheckResult, type FileListing } from "../report/check-output.js";
import { buildReviewWithAgent } from "./review-with-agent.js";
import { loadSqlParser } from "../sql/parse.js";
import { gatherMigrationFiles } from "./gather.js";

/**
 * The review of a pull request's migrations: read them (and their up/down counterparts) at the
 * head commit, analyse them, post one review with inline comments where GitHub accepts them, and
 * give the check run's verdict. A finding already posted is not posted again; a head that moved
 * meanwhile posts nothing (a newer event reviews the newer commit).
 */

export interface MigrationReviewInput {
  client: PullRequestClient;
  relevant: readonly RelevantFile[];
  config: RepoConfig;
  listing: FileListing;
  log: Logger;
  /** Every file the pull request changes (the agent sees their names; its findings may sit on them). */
  changed: readonly ChangedFile[];
  /** The pull request's text, for the agent. */
  pr: PullRequestText;
  /** The data-engineer agent, when the server has a Gemini key. */
  agent?: AgentRuntime;
  /** Post every finding, as if nothing had been posted before (`/data-engineer full-review`). */
  ignorePosted?: boolean;
  /** Aborted when the review is superseded or the server stops. */
  signal?: AbortSignal;
}

export interface MigrationReviewOutcome {
  result: CheckResult;
  annotations: CheckAnnotation[][];
  reviewId?: number;
  agent?: AgentOutcome;
}

export async function reviewMigrations(input: MigrationReviewInput): Promise<MigrationReviewOutcome> {
  const { client, config, log } = input;
  const { files, notReviewed } = await gatherMigrationFiles(client, input.relevant);
  log.debug({ files: files.length, notReviewed: notReviewed.length }, "gathered migration files");

  // Analyse and place the findings.
  await loadSqlParser();
  const posted = input.ignorePosted ? new Set<string>() : await client.postedFingerprints();
  const reviewInput = { files, relevant: input.relevant, config, posted, notReviewed, listing: input.listing, headSha: client.pr.headSha, changed: input.changed };
  if (input.agent && !config.agent.enabled) log.info("agent turned off by the repository's configuration");
  const { review, agent } = await buildReviewWithAgent(reviewInput, {
    runtime: input.agent,
    pr: input.pr,
    openWorkspace: () => workspaceFromGitHub(client, undefined, input.signal),
    log,
    ...(input.signal ? { signal: input.signal } : {}),
  });
  input.signal?.throwIfAborted();
  const { check: result, annotations } = review;

  // Post nothing for a commit that is no longer the head: its review would be stale on arrival.
  const head = await client.currentHeadSha();
  if (head !== client.pr.headSha) {
    log.info({ head }, "head moved while reviewing; nothing posted");
    return { result: supersededByCommit(head), annotations: [] };
  }

  if (!review.worthPosting) {
    log.info({ findings: review.findings.length }, "nothing new to post");
    return { result, annotations, ...(agent ? { agent } : {}) };
  }
  const posting = await client.postReview({
    event: review.event,
    body: review.body,
    comments: review.comments.map((c) => ({ path: c.path, line: c.line, ...(c.startLine !== undefined ? { startLine: c.startLine } : {}), body: c.body })),
    bodyIfRejected: review.bodyWithComments,
  });
  log.info({ reviewId: posting.id, inline: review.comments.length, commentsInBody: posting.commentsInBody, resolved: review.resolved }, "review posted");
  return { result, annotations, reviewId: posting.id, ...(agent ? { agent } : {}) };
}

