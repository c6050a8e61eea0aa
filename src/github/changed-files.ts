import type { ChangedFile, ChangedFileStatus } from "../migrations/relevant-files.js";
import { callGitHub } from "./call.js";
import type { GitHubOctokit } from "./octokit.js";

const KNOWN_STATUSES = new Set<ChangedFileStatus>(["added", "removed", "modified", "renamed", "copied", "changed", "unchanged"]);

function toStatus(status: string): ChangedFileStatus {
  return KNOWN_STATUSES.has(status as ChangedFileStatus) ? (status as ChangedFileStatus) : "changed";
}

/** Every file the pull request changes, with its unified diff, through REST (all pages). */
export async function listChangedFilesWithPatches(octokit: GitHubOctokit, pr: { owner: string; repo: string; pullNumber: number }): Promise<ChangedFile[]> {
  const files = await callGitHub({ kind: "read", doing: "listing the pull request's files" }, () =>
    octokit.paginate(octokit.rest.pulls.listFiles, { owner: pr.owner, repo: pr.repo, pull_number: pr.pullNumber, per_page: 100 }),
  );
  return files.map((file) => ({
    path: file.filename,
    status: toStatus(file.status),
    previousPath: file.previous_filename ?? undefined,
    additions: file.additions,
    deletions: file.deletions,
    patch: file.patch,
  }));
}
