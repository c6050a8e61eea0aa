import type { CheckConclusion } from "../report/check-output.js";
import { callGitHub } from "./call.js";
import type { GitHubOctokit } from "./octokit.js";
import type { Clock } from "./rate-limit.js";

/**
 * A commit status: what reports the verdict where the token cannot create check runs (a workflow
 * token without `checks: write`, e.g. Dependabot's). Branch protection treats a status and a check
 * run of the same name alike, so `data-engineer` stays usable as a required check.
 * https://docs.github.com/en/rest/commits/statuses#create-a-commit-status
 */

export type CommitStatusState = "pending" | "success" | "failure" | "error";

/** GitHub refuses longer descriptions (422). */
export const COMMIT_STATUS_DESCRIPTION_LIMIT = 140;

/**
 * The status for a check run's conclusion. A status has no neutral or skipped: both pass a
 * required check as a check run, so they become success; anything unknown is an error.
 */
export function commitStatusState(conclusion: CheckConclusion | "error"): CommitStatusState {
  switch (conclusion) {
    case "success":
    case "neutral":
    case "skipped":
      return "success";
    case "failure":
      return "failure";
    default:
      return "error";
  }
}

/** One line within GitHub's limit: the check run's title, shortened with an ellipsis when needed. */
export function statusDescription(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= COMMIT_STATUS_DESCRIPTION_LIMIT ? line : `${line.slice(0, COMMIT_STATUS_DESCRIPTION_LIMIT - 1)}…`;
}

export interface CommitStatus {
  owner: string;
  repo: string;
  sha: string;
  /** The status's name, e.g. `data-engineer`. */
  context: string;
  state: CommitStatusState;
  description: string;
  /** The page the status links to (the workflow run). */
  targetUrl?: string;
}

/**
 * Sets the status. GitHub keeps every status it is sent, but a context shows only its latest, so
 * sending the same one twice changes nothing anyone sees: an idempotent write.
 */
export async function createCommitStatus(octokit: GitHubOctokit, status: CommitStatus, clock: Clock): Promise<void> {
  await callGitHub({ kind: "idempotent-write", doing: `setting the ${status.context} commit status`, clock }, () =>
    octokit.rest.repos.createCommitStatus({
      owner: status.owner,
      repo: status.repo,
      sha: status.sha,
      context: status.context,
      state: status.state,
      description: statusDescription(status.description),
      ...(status.targetUrl ? { target_url: status.targetUrl } : {}),
    }),
  );
}
