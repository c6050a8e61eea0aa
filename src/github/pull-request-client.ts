import type { Octokit, RestEndpointMethodTypes } from "@octokit/rest";
import type { ChangedFile, ChangedFileStatus } from "../migrations/relevant-files.js";
import type { CheckOutput, CheckResult } from "../report/check-output.js";
import type { RepoConfig } from "../config/repo-config.js";
import { describeGitHubFailure } from "./errors.js";
import { loadRepoConfig } from "./repo-config.js";

/** What the app needs of an Octokit: Probot's and @octokit/rest's clients both fit. */
export type GitHubOctokit = Pick<Octokit, "rest" | "paginate">;

type CreateCheckRunParams = RestEndpointMethodTypes["checks"]["create"]["parameters"];

export interface PullRequestRef {
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
}

/** GitHub lists at most this many files of a pull request (documented for "List pull requests files"). */
export const PULL_REQUEST_FILE_LIST_LIMIT = 3000;

const KNOWN_STATUSES = new Set<ChangedFileStatus>([
  "added",
  "removed",
  "modified",
  "renamed",
  "copied",
  "changed",
  "unchanged",
]);

function toStatus(status: string): ChangedFileStatus {
  return KNOWN_STATUSES.has(status as ChangedFileStatus) ? (status as ChangedFileStatus) : "changed";
}

/** The GitHub calls of one pull request review. The only place that talks to GitHub for it. */
export class PullRequestClient {
  constructor(
    private readonly octokit: GitHubOctokit,
    readonly pr: PullRequestRef,
  ) {}

  /** Creates the `name` check run on the head commit, in progress; returns its id. */
  async startCheckRun(name: string, externalId: string, output: CheckOutput): Promise<number> {
    return this.createCheckRun(name, externalId, { status: "in_progress", started_at: new Date().toISOString(), output });
  }

  private async createCheckRun(
    name: string,
    externalId: string,
    state: Omit<CreateCheckRunParams, "owner" | "repo" | "name" | "head_sha" | "external_id">,
  ): Promise<number> {
    try {
      const { data } = await this.octokit.rest.checks.create({
        owner: this.pr.owner,
        repo: this.pr.repo,
        name,
        head_sha: this.pr.headSha,
        external_id: externalId,
        ...state,
      });
      return data.id;
    } catch (error) {
      throw describeGitHubFailure(error, "creating the check run");
    }
  }

  async completeCheckRun(checkRunId: number, result: CheckResult): Promise<void> {
    try {
      await this.octokit.rest.checks.update({
        owner: this.pr.owner,
        repo: this.pr.repo,
        check_run_id: checkRunId,
        status: "completed",
        conclusion: result.conclusion,
        completed_at: new Date().toISOString(),
        output: result.output,
      });
    } catch (error) {
      throw describeGitHubFailure(error, "completing the check run");
    }
  }

  /** The repository's .github/data-engineer.yml from its default branch (or the org's, or defaults). */
  async repoConfig(): Promise<{ config: RepoConfig; source: string | undefined }> {
    return loadRepoConfig(this.octokit, this.pr.owner, this.pr.repo);
  }

  /** Every file the pull request changes, as far as GitHub lists them (all pages). */
  async listChangedFiles(): Promise<ChangedFile[]> {
    try {
      const files = await this.octokit.paginate(this.octokit.rest.pulls.listFiles, {
        owner: this.pr.owner,
        repo: this.pr.repo,
        pull_number: this.pr.pullNumber,
        per_page: 100,
      });
      return files.map((file) => ({
        path: file.filename,
        status: toStatus(file.status),
        previousPath: file.previous_filename ?? undefined,
        additions: file.additions,
        deletions: file.deletions,
      }));
    } catch (error) {
      throw describeGitHubFailure(error, "listing the pull request's files");
    }
  }
}
