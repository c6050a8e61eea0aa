import type { Logger } from "pino";
import { errorMessage } from "../errors.js";
import type { PullRequestClient } from "../github/pull-request-client.js";
import { selectRelevantFiles } from "../migrations/relevant-files.js";
import {
  CHECK_NAME,
  IN_PROGRESS_OUTPUT,
  draftSkipped,
  noRelevantChanges,
  relevantFilesFound,
  reviewFailed,
  type CheckResult,
} from "../report/check-output.js";
import { encodeCheckIdentity } from "./check-identity.js";

export interface PullRequestReviewInput {
  client: PullRequestClient;
  /** Drafts are reported as skipped until they are ready for review. */
  draft: boolean;
  /** How many files GitHub says the pull request changes (`pull_request.changed_files`). */
  changedFiles: number;
  log: Logger;
}

/**
 * Reports the `data-engineer` check run for one head commit of a pull request. Whatever fails
 * after the check run exists, it ends completed with a readable reason: never left in progress.
 */
export async function reviewPullRequest(input: PullRequestReviewInput): Promise<CheckResult> {
  const { client, log } = input;
  const externalId = encodeCheckIdentity({ pullNumber: client.pr.pullNumber, headSha: client.pr.headSha });

  if (input.draft) {
    const result = draftSkipped();
    await client.reportCheckRun(CHECK_NAME, externalId, result);
    log.info({ conclusion: result.conclusion }, "draft pull request: check reported as skipped");
    return result;
  }

  const checkRunId = await client.startCheckRun(CHECK_NAME, externalId, IN_PROGRESS_OUTPUT);
  try {
    const files = await client.listChangedFiles();
    const relevant = selectRelevantFiles(files);
    const listing = { listed: files.length, changed: Math.max(input.changedFiles, files.length) };
    const result = relevant.length === 0 ? noRelevantChanges(listing) : relevantFilesFound(relevant, listing);
    await client.completeCheckRun(checkRunId, result);
    log.info(
      { checkRunId, conclusion: result.conclusion, files: files.length, relevantFiles: relevant.length },
      "check run completed",
    );
    return result;
  } catch (error) {
    const result = reviewFailed(errorMessage(error));
    log.error({ err: error, checkRunId }, "review failed; completing the check run with the reason");
    try {
      await client.completeCheckRun(checkRunId, result);
    } catch (completionError) {
      log.error({ err: completionError, checkRunId }, "could not complete the check run after a failure");
    }
    return result;
  }
}
