import { callGitHub } from "./call.js";
import { readCollaboratorPermission, type CollaboratorPermission } from "./collaborator-permission.js";
import { fetchPullRequest, type PullRequestSnapshot } from "./pull-request-facts.js";
import type { GitHubOctokit } from "./octokit.js";
import { PullRequestClient } from "./pull-request-client.js";
import { realClock, type Clock } from "./rate-limit.js";
import { loadRepoConfig, type LoadedRepoConfig } from "./repo-config.js";

/** The pull request a command was written on. */
export interface CommandTarget {
  owner: string;
  repo: string;
  pullNumber: number;
}

/** The comment holding the command: on the conversation, or in a line's review thread. */
export type CommandComment = { kind: "issue"; id: number } | { kind: "review"; id: number; inReplyTo?: number };

/** The GitHub calls of `/data-engineer` commands. The only place that talks to GitHub for them. */
export class CommandClient {
  constructor(
    private readonly octokit: GitHubOctokit,
    readonly target: CommandTarget,
    private readonly clock: Clock = realClock,
  ) {}

  permissionOf(username: string): Promise<CollaboratorPermission> {
    return readCollaboratorPermission(this.octokit, this.target.owner, this.target.repo, username, "reading the commenter's permission");
  }

  /**
   * 👀 on the command's comment: it was accepted and is being worked on. GitHub answers a
   * reaction the user already gave with the existing one, so sending it twice adds nothing.
   */
  async acknowledge(comment: CommandComment): Promise<void> {
    const { owner, repo } = this.target;
    await callGitHub({ kind: "idempotent-write", doing: "reacting to the command", clock: this.clock }, () =>
      comment.kind === "issue"
        ? this.octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: comment.id, content: "eyes" })
        : this.octokit.rest.reactions.createForPullRequestReviewComment({ owner, repo, comment_id: comment.id, content: "eyes" }),
    );
  }

  /**
   * Answers a command: on the conversation for a comment there; in the line's thread for a review
   * comment (GitHub replies to a thread's first comment, so a reply's own id is not used).
   */
  async reply(comment: CommandComment, body: string): Promise<void> {
    const { owner, repo, pullNumber } = this.target;
    // The two endpoints answer different shapes; the reply's answer is not used.
    // No read-back: a reply whose answer was lost is not sent again (a missing reply is better than two).
    await callGitHub<unknown>({ kind: "create", doing: "posting the reply", clock: this.clock }, (options) =>
      comment.kind === "issue"
        ? this.octokit.rest.issues.createComment({ owner, repo, issue_number: pullNumber, body, ...options })
        : this.octokit.rest.pulls.createReplyForReviewComment({
            owner,
            repo,
            pull_number: pullNumber,
            comment_id: comment.inReplyTo ?? comment.id,
            body,
            ...options,
          }),
    );
  }

  /** Adds a label (a label the pull request has already stays as it is: idempotent). */
  async addLabel(name: string): Promise<void> {
    const { owner, repo, pullNumber } = this.target;
    await callGitHub({ kind: "idempotent-write", doing: `adding the label ${name}`, clock: this.clock }, () =>
      this.octokit.rest.issues.addLabels({ owner, repo, issue_number: pullNumber, labels: [name] }),
    );
  }

  /** Removes a label; false when the pull request did not have it (GitHub answers 404). */
  async removeLabel(name: string): Promise<boolean> {
    const { owner, repo, pullNumber } = this.target;
    const removed = await callGitHub({ kind: "idempotent-write", doing: `removing the label ${name}`, clock: this.clock, notFound: "absent" }, () =>
      this.octokit.rest.issues.removeLabel({ owner, repo, issue_number: pullNumber, name }),
    );
    return removed !== undefined;
  }

  /** The pull request now: comments do not carry its head, state or labels. */
  pullRequest(): Promise<PullRequestSnapshot> {
    return fetchPullRequest(this.octokit, this.target.owner, this.target.repo, this.target.pullNumber);
  }

  /** The client a review or the agent uses, for the given head commit. */
  reviewClient(headSha: string): PullRequestClient {
    return new PullRequestClient(this.octokit, { owner: this.target.owner, repo: this.target.repo, pullNumber: this.target.pullNumber, headSha }, this.clock);
  }

  /** .github/data-engineer.yml from the default branch (or the organisation's), with its origin and data. */
  repoConfig(): Promise<LoadedRepoConfig> {
    return loadRepoConfig(this.octokit, this.target.owner, this.target.repo);
  }
}
