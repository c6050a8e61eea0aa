import { EnvironmentError } from "../errors.js";
import { headAtCommit } from "../review/git-head.js";
import { LocalRepo } from "../git/local-repo.js";
import type { Head } from "../review/head.js";

/**
 * The pull request's head commit in a CI job's checkout. It is read from git at that commit, not
 * from the working tree: earlier steps of the job may have changed files (a build, a formatter),
 * and the review must be of what the pull request pushed. A checkout that lacks the commit (a
 * shallow fetch of another ref) is the workflow's mistake, said in one line.
 */
export async function headInCheckout(repoDir: string, headSha: string): Promise<Head> {
  const repo = new LocalRepo(repoDir);
  if ((await repo.resolve(headSha)) !== headSha) {
    throw new EnvironmentError(
      `the pull request's head commit ${headSha.slice(0, 12)} is not in the git checkout at ${repoDir}: ` +
        "check it out first (actions/checkout with `ref: ${{ github.event.pull_request.head.sha }}`)",
    );
  }
  return headAtCommit(repo, headSha);
}
