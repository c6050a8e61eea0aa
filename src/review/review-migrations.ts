import type { Logger } from "pino";
import type { AgentOutcome, AgentRuntime } from "../agent/agent-review.js";
import type { PullRequestText } from "../agent/review-task.js";
import { withWorkspace, type Workspace } from "../agent/workspace/extract.js";
import { workspaceFromGitHub } from "../agent/workspace/sources.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { PullRequestClient } from "../github/pull-request-client.js";
import type { ChangedFile, RelevantFile } from "../migrations/relevant-files.js";
import type { CheckAnnotation } from "../report/check-verdict.js";
import { supersededByCommit, type CheckResult, type FileListing } from "../report/check-output.js";
import type { SourceFile } from "../migrations/model.js";
import { readFolders } from "../replay/folder-files.js";
import { replayPullRequest } from "../replay/for-pull-request.js";
import type { ReplayOutcome } from "../replay/replay-migrations.js";
import type { ReplayRunner } from "../replay/verify.js";
import type { BuiltReview } from "./build-review.js";
import { buildReviewWithAgent } from "./review-with-agent.js";
import { loadSqlParser } from "../sql/parse.js";
import { gatherMigrationFiles, type HeadSource } from "./gather.js";

/**
 * The review of a pull request's migrations: read them (and their up/down counterparts) at the
 * head commit, analyse them, post one review with inline comments where GitHub accepts them, and
 * give the check run's verdict. A finding already posted is not posted again; a head that moved
 * meanwhile posts nothing (a newer event reviews the newer commit).
 */

/**
 * Where the head commit's files come from: the GitHub API for the app (the default), the local
 * checkout of the pull request's head in a CI job. Everything else, posting included, is GitHub.
 */
export interface HeadCheckout {
  /** Folder listings and file texts, for the migrations and their counterparts. */
  files: HeadSource;
  /** The whole tree, unpacked for the agent's tools. */
  openWorkspace(signal?: AbortSignal): Promise<Workspace>;
}

/** The head commit as the app reads it: through the API, and its tarball for the agent. */
export function headOnGitHub(client: PullRequestClient): HeadCheckout {
  return { files: client, openWorkspace: (signal) => workspaceFromGitHub(client, undefined, signal) };
}

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
  /** Where the head commit's files are read; the GitHub API when absent. */
  head?: HeadCheckout;
  /** Told the review once it is built (a CI job counts its findings). */
  onReview?: (review: BuiltReview) => void;
  /** Replays the migrations in a real Postgres when the repository enables `replay`. */
  replay?: ReplayRunner;
}

export interface MigrationReviewOutcome {
  result: CheckResult;
  annotations: CheckAnnotation[][];
  reviewId?: number;
  agent?: AgentOutcome;
}

/** The replay of the pull request's migrations, from the whole migration folders at the head commit. */
async function replayStep(input: MigrationReviewInput, checkout: HeadCheckout, gathered: readonly SourceFile[]): Promise<ReplayOutcome> {
  if (!input.replay) return { ...NOT_REPLAYED, reason: "this server does not replay migrations" };
  return replayPullRequest({
    gathered,
    changed: new Set(input.relevant.filter((f) => f.status !== "removed").map((f) => f.path)),
    config: input.config,
    readTree: (folders) => withWorkspace(() => checkout.openWorkspace(input.signal), (workspace) => readFolders(workspace.root, folders)),
    runner: input.replay,
    log: input.log,
    ...(input.signal ? { signal: input.signal } : {}),
  });
}

const NOT_REPLAYED: ReplayOutcome = { status: "skipped", findings: [], migrations: [], baseMigrations: 0, fromCache: false, locks: { compared: 0, stronger: [] }, durationMs: 0 };

export async function reviewMigrations(input: MigrationReviewInput): Promise<MigrationReviewOutcome> {
  const { client, config, log } = input;
  const checkout = input.head ?? headOnGitHub(client);
  const { files, notReviewed } = await gatherMigrationFiles(checkout.files, input.relevant);
  log.debug({ files: files.length, notReviewed: notReviewed.length }, "gathered migration files");

  // Analyse and place the findings.
  await loadSqlParser();
  const replay = config.replay.enabled ? await replayStep(input, checkout, files) : undefined;
  input.signal?.throwIfAborted();
  const posted = input.ignorePosted ? new Set<string>() : await client.postedFingerprints();
  const reviewInput = {
    files,
    relevant: input.relevant,
    config,
    posted,
    notReviewed,
    listing: input.listing,
    headSha: client.pr.headSha,
    changed: input.changed,
    ...(replay ? { replay } : {}),
  };
  if (input.agent && !config.agent.enabled) log.info("agent turned off by the repository's configuration");
  const { review, agent } = await buildReviewWithAgent(reviewInput, {
    runtime: input.agent,
    pr: input.pr,
    openWorkspace: () => checkout.openWorkspace(input.signal),
    log,
    ...(input.signal ? { signal: input.signal } : {}),
  });
  input.signal?.throwIfAborted();
  input.onReview?.(review);
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

