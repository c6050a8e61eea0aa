import type { Logger } from "pino";
import type { AgentRuntime } from "../agent/agent-review.js";
import type { RepoConfig } from "../config/repo-config.js";
import { ConfigError, errorMessage } from "../errors.js";
import type { PullRequestClient } from "../github/pull-request-client.js";
import { createRelevantFileMatcher, selectRelevantFiles } from "../migrations/relevant-files.js";
import {
  CHECK_NAME,
  IN_PROGRESS_OUTPUT,
  configSkipped,
  draftSkipped,
  invalidConfig,
  noRelevantChanges,
  reviewFailed,
  supersededByCommit,
  type CheckResult,
} from "../report/check-output.js";
import { pausedSkipped, type PullRequestFacts } from "./auto-review.js";
import { encodeCheckIdentity } from "./check-identity.js";
import type { CheckAnnotation } from "../report/check-verdict.js";
import type { ReplayRunner } from "../replay/verify.js";
import type { BuiltReview } from "./compose.js";
import { headOnGitHub } from "./github-head.js";
import { trustedAutoReviewSkip } from "./label-trust.js";
import type { Head } from "./head.js";
import { reviewHeadCommit } from "./pipeline.js";
import { publishReview } from "./publish-review.js";

export interface PullRequestReviewInput {
  client: PullRequestClient;
  pr: PullRequestFacts;
  log: Logger;
  agent?: AgentRuntime;
  /**
   * Asked for (a `/data-engineer` command, a check re-run) rather than automatic: the automatic
   * review settings (drafts, paused, ignored authors and labels) do not apply. `fullReview` posts
   * every finding again, ignoring what earlier reviews posted.
   */
  requested?: { fullReview?: boolean };
  /**
   * A check run that exists already: the one a dead letter found, or the one a job queued by an
   * earlier version carries (that version's webhook handler created it). One is created when missing.
   */
  checkRunId?: number;
  /**
   * Without `checkRunId`: look first for our check run of this head still in progress (an earlier
   * attempt of the same job created it) and report on it, instead of leaving it in progress.
   */
  adoptOpenCheckRun?: boolean;
  /**
   * Without `checkRunId`: create the check run once, completed with the result, when the review is
   * done (one write where starting and completing it took two: issue 19 item 5). The app's review
   * jobs do: nobody created a run for them (a job that dies gets one from its dead letter).
   */
  checkRunOnce?: boolean;
  /**
   * With `checkRunOnce`: an earlier attempt of this job ran (its process may have died while GitHub
   * stored its check run, the answer lost), so before creating the check run the review looks for
   * ours on this head by `external_id` and completes that one instead. One read, on re-runs only:
   * a first attempt has nothing to find.
   */
  readBackCheckRun?: boolean;
  /** Aborted when a newer push supersedes this review or the server stops: nothing more is posted. */
  signal?: AbortSignal;
  /**
   * Failures worth another attempt of the job (GitHub 5xx, a dropped connection), or that the job
   * settles itself (the app uninstalled: no check run can be reported): when this says so, the
   * failure is thrown for the job queue instead of completing the check run.
   */
  retryLater?: (error: unknown) => boolean;
  /** Where the head commit's files are read; the GitHub API when absent (a CI job reads its checkout). */
  head?: Head;
  /**
   * The configuration to review with; `.github/data-engineer.yml` of the default branch when
   * absent. A ConfigError it throws completes the check run as an invalid configuration.
   */
  loadConfig?: () => Promise<RepoConfig>;
  /** Told the review once it is built, before it is posted. */
  onReview?: (review: BuiltReview) => void;
  /**
   * The pull request's newest head as last announced (the app's shared record, no GitHub request),
   * looked at just before the review is posted; GitHub's pull request is read when absent.
   */
  latestHead?: () => Promise<string | undefined>;
  /** Replays the migrations in a real Postgres when the repository enables `replay`. */
  replay?: ReplayRunner;
  /** The GitHub App installation the review is for: replay slots are shared fairly between installations. */
  installationId?: number;
}

/**
 * Reports the `data-engineer` check run for one head commit of a pull request. Whatever fails
 * after the check run exists, it ends completed with a readable reason: never left in progress.
 */
export async function reviewPullRequest(input: PullRequestReviewInput): Promise<CheckResult> {
  const { client, log } = input;
  const externalId = encodeCheckIdentity({ pullNumber: client.pr.pullNumber, headSha: client.pr.headSha });

  const { signal } = input;
  signal?.throwIfAborted();
  const once = input.checkRunId === undefined && input.checkRunOnce === true;
  let checkRunId: number | undefined = input.checkRunId;
  if (!once && checkRunId === undefined) {
    const adopted = input.adoptOpenCheckRun ? await client.findOpenCheckRun(CHECK_NAME, externalId) : undefined;
    if (adopted !== undefined) log.info({ checkRunId: adopted }, "reporting on the check run an earlier attempt left in progress");
    checkRunId = adopted ?? (await client.startCheckRun(CHECK_NAME, externalId, IN_PROGRESS_OUTPUT));
  }
  /** Reports the result: completes the run this review reports on, or creates it completed. */
  const finish = async (result: CheckResult, annotations: CheckAnnotation[][] = []): Promise<number> => {
    if (checkRunId === undefined && once && input.readBackCheckRun) {
      checkRunId = await client.findCheckRun(CHECK_NAME, externalId);
      if (checkRunId !== undefined) log.info({ checkRunId }, "an earlier attempt created this head's check run; reporting on it, not creating another");
    }
    if (checkRunId !== undefined) {
      await client.completeCheckRun(checkRunId, result, annotations);
      return checkRunId;
    }
    checkRunId = await client.reportCheckRun(CHECK_NAME, externalId, result, annotations);
    return checkRunId;
  };
  try {
    // The app's review jobs read GitHub by GraphQL (issue 20 item 4): the first query brings the
    // configuration, the head, the files and earlier reviews, answered from memory by the client's
    // calls below, and the head's files come in a second. (The CI review and re-runs still read
    // through REST.)
    const context = once ? await client.reviewContext() : undefined;
    signal?.throwIfAborted();
    let config;
    try {
      config = input.loadConfig ? await input.loadConfig() : (await client.repoConfig()).config;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const result = invalidConfig(error.message);
      await finish(result);
      log.warn({ checkRunId }, "invalid repository configuration; nothing reviewed");
      return result;
    }
    signal?.throwIfAborted();
    const skip = input.requested ? undefined : await trustedAutoReviewSkip(input.pr, config, client, log);
    if (skip) {
      const result = skip.kind === "draft" ? draftSkipped() : skip.kind === "paused" ? pausedSkipped() : configSkipped(skip.reason);
      await finish(result);
      log.info({ checkRunId, skip: skip.kind }, "pull request not reviewed automatically");
      return result;
    }
    const files = await client.listChangedFiles();
    signal?.throwIfAborted();
    const relevant = selectRelevantFiles(files, createRelevantFileMatcher(config.paths.include, config.paths.exclude));
    const listing = { listed: files.length, changed: Math.max(input.pr.changedFiles, files.length) };
    if (relevant.length === 0) {
      const result = noRelevantChanges(listing);
      await finish(result);
      log.info({ checkRunId, conclusion: result.conclusion, files: files.length }, "check run completed");
      return result;
    }
    const pr = {
      number: client.pr.pullNumber,
      title: input.pr.title ?? "",
      body: input.pr.body ?? "",
      author: input.pr.author,
      baseRef: input.pr.baseRef,
      headSha: client.pr.headSha,
    };
    const posted = input.requested?.fullReview ? new Set<string>() : await client.postedFingerprints();
    signal?.throwIfAborted();
    const { review } = await reviewHeadCommit({
      head: input.head ?? headOnGitHub(client),
      headSha: client.pr.headSha,
      relevant,
      changed: files,
      listing,
      config,
      posted,
      pr,
      log,
      ...(input.agent ? { agent: input.agent } : {}),
      ...(input.replay ? { replay: input.replay } : {}),
      ...(input.installationId !== undefined ? { installationId: input.installationId } : {}),
      ...(signal ? { signal } : {}),
      // Files listed by GraphQL come without their diffs: read only when findings need anchors.
      ...(context?.files !== undefined ? { patches: () => client.changedFilePatches() } : {}),
    });
    input.onReview?.(review);
    const { result, annotations } = await publishReview(client, review, log, input.latestHead);
    signal?.throwIfAborted();
    await finish(result, annotations);
    log.info({ checkRunId, conclusion: result.conclusion, files: files.length, relevantFiles: relevant.length }, "check run completed");
    return result;
  } catch (error) {
    // Superseded or shutting down: the queue completes or re-runs this check; a failure worth
    // retrying leaves it in progress for the next attempt.
    if (signal?.aborted) {
      // Superseded: a review job creates its check run only at its end, so it has none to complete
      // (the queue completes the run a job queued by an earlier version carries); one started
      // here in progress (a re-run's) only this review knows, so it completes it.
      if (input.checkRunId === undefined && checkRunId !== undefined && (signal.reason as { why?: string } | undefined)?.why === "superseded") {
        await client.completeCheckRun(checkRunId, supersededByCommit()).catch((completionError: unknown) => {
          log.error({ err: completionError, checkRunId }, "could not complete the superseded review's check run");
        });
      }
      throw error;
    }
    if (input.retryLater?.(error)) throw error;
    const result = reviewFailed(errorMessage(error));
    log.error({ err: error, checkRunId }, "review failed; completing the check run with the reason");
    try {
      await finish(result);
    } catch (completionError) {
      log.error({ err: completionError, checkRunId }, "could not complete the check run after a failure");
      // No check run exists yet: the job fails so that its retry or dead letter creates one.
      if (checkRunId === undefined) throw completionError;
    }
    return result;
  }
}
