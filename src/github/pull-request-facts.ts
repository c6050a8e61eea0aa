import type { PullRequestFacts } from "../review/auto-review.js";
import { describeGitHubFailure } from "./errors.js";
import type { GitHubOctokit } from "./pull-request-client.js";

/**
 * A pull request as a command or a check re-run needs it: the events that carry those (comments,
 * check runs) do not carry the pull request's head, draft state or labels, so they are read.
 */
export interface PullRequestSnapshot extends PullRequestFacts {
  number: number;
  headSha: string;
  state: "open" | "closed";
  merged: boolean;
  title: string;
  body: string;
}

export async function fetchPullRequest(octokit: GitHubOctokit, owner: string, repo: string, pullNumber: number): Promise<PullRequestSnapshot> {
  try {
    const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: pullNumber });
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
  } catch (error) {
    throw describeGitHubFailure(error, `reading pull request #${pullNumber}`);
  }
}
