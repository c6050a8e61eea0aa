import { callGitHub } from "./call.js";
import type { GitHubOctokit } from "./octokit.js";

/**
 * A pull request as a command or a check re-run needs it: the events that carry those (comments,
 * check runs) do not carry the pull request's head, draft state or labels, so they are read. It
 * carries every field of the review's PullRequestFacts (which decide whether to review), and is
 * passed as one; the fields are listed here because src/github/ sits below the review.
 */
export interface PullRequestSnapshot {
  draft: boolean;
  author: string;
  labels: readonly string[];
  baseRef: string;
  /** `pull_request.changed_files`. */
  changedFiles: number;
  number: number;
  headSha: string;
  state: "open" | "closed";
  merged: boolean;
  title: string;
  body: string;
}

export async function fetchPullRequest(octokit: GitHubOctokit, owner: string, repo: string, pullNumber: number): Promise<PullRequestSnapshot> {
  const { data } = await callGitHub({ kind: "read", doing: `reading pull request #${pullNumber}` }, () =>
    octokit.rest.pulls.get({ owner, repo, pull_number: pullNumber }),
  );
  return {
    number: data.number,
    headSha: data.head.sha,
    state: data.state === "closed" ? "closed" : "open",
    merged: data.merged === true,
    draft: data.draft === true,
    author: data.user.login,
    labels: data.labels.map((label) => label.name),
    baseRef: data.base.ref,
    changedFiles: data.changed_files,
    title: data.title,
    body: data.body ?? "",
  };
}
