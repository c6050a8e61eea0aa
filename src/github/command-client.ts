import { describeGitHubFailure } from "./errors.js";
import { fetchPullRequest, type PullRequestSnapshot } from "./pull-request-facts.js";
import type { GitHubOctokit } from "./octokit.js";
import { PullRequestClient } from "./pull-request-client.js";
import { loadRepoConfig, type LoadedRepoConfig } from "./repo-config.js";

/** The pull request a command was written on. */
export interface CommandTarget {
  owner: string;
  repo: string;
  pullNumber: number;
}

/** The comment holding the command: on the conversation, or in a line's review thread. */
export type CommandComment = { kind: "issue"; id: number } | { kind: "review"; id: number; inReplyTo?: number };

/** The answer of "Get repository permissions for a user". */
export interface CollaboratorPermission {
  permission: string;
  roleName?: string;
}

/** The GitHub calls of `/data-engineer` commands. The only place that talks to GitHub for them. */
export class CommandClient {
  constructor(
    private readonly octokit: GitHubOctokit,
    readonly target: CommandTarget,
  ) {}

  async permissionOf(username: string): Promise<CollaboratorPermission> {
    try {
      const { data } = await this.octokit.rest.repos.getCollaboratorPermissionLevel({ owner: this.target.owner, repo: this.target.repo, username });
      return { permission: data.permission, ...(data.role_name ? { roleName: data.role_name } : {}) };
    } catch (error) {
      throw describeGitHubFailure(error, "reading the commenter's permission");
    }
  }

  /** 👀 on the command's comment: it was accepted and is being worked on. */
  async acknowledge(comment: CommandComment): Promise<void> {
    const { owner, repo } = this.target;
    try {
      if (comment.kind === "issue") await this.octokit.rest.reactions.createForIssueComment({ owner, repo, comment_id: comment.id, content: "eyes" });
      else await this.octokit.rest.reactions.createForPullRequestReviewComment({ owner, repo, comment_id: comment.id, content: "eyes" });
    } catch (error) {
      throw describeGitHubFailure(error, "reacting to the command");
    }
  }

  /**
   * Answers a command: on the conversation for a comment there; in the line's thread for a review
   * comment (GitHub replies to a thread's first comment, so a reply's own id is not used).
   */
  async reply(comment: CommandComment, body: string): Promise<void> {
    const { owner, repo, pullNumber } = this.target;
    try {
      if (comment.kind === "issue") {
        await this.octokit.rest.issues.createComment({ owner, repo, issue_number: pullNumber, body });
      } else {
        await this.octokit.rest.pulls.createReplyForReviewComment({ owner, repo, pull_number: pullNumber, comment_id: comment.inReplyTo ?? comment.id, body });
      }
    } catch (error) {
      throw describeGitHubFailure(error, "posting the reply");
    }
  }

  async addLabel(name: string): Promise<void> {
    const { owner, repo, pullNumber } = this.target;
    try {
      await this.octokit.rest.issues.addLabels({ owner, repo, issue_number: pullNumber, labels: [name] });
    } catch (error) {
      throw describeGitHubFailure(error, `adding the label ${name}`);
    }
  }

  /** Removes a label; false when the pull request did not have it. */
  async removeLabel(name: string): Promise<boolean> {
    const { owner, repo, pullNumber } = this.target;
    try {
      await this.octokit.rest.issues.removeLabel({ owner, repo, issue_number: pullNumber, name });
      return true;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return false;
      throw describeGitHubFailure(error, `removing the label ${name}`);
    }
  }

  /** The pull request now: comments do not carry its head, state or labels. */
  pullRequest(): Promise<PullRequestSnapshot> {
    return fetchPullRequest(this.octokit, this.target.owner, this.target.repo, this.target.pullNumber);
  }

  /** The client a review or the agent uses, for the given head commit. */
  reviewClient(headSha: string): PullRequestClient {
    return new PullRequestClient(this.octokit, { owner: this.target.owner, repo: this.target.repo, pullNumber: this.target.pullNumber, headSha });
  }

  /** .github/data-engineer.yml from the default branch (or the organisation's), with its origin and data. */
  repoConfig(): Promise<LoadedRepoConfig> {
    return loadRepoConfig(this.octokit, this.target.owner, this.target.repo);
  }
}
