import { workspaceFromGit } from "../agent/workspace/sources.js";
import type { LocalRepo } from "../git/local-repo.js";
import type { HeadCheckout } from "../review/review-migrations.js";

/**
 * A commit of a local git repository as the review reads a pull request's head: folder listings
 * and file texts at that commit (`git ls-tree`, `git show`, never the working tree), and the tree
 * unpacked for the agent (`git archive`). `data-engineer review` reads its --head this way, and a
 * CI job the pull request's head in its checkout.
 */
export function headFromCheckout(repo: LocalRepo, commit: string): HeadCheckout {
  return {
    files: { listFolder: (folder) => repo.listFolder(commit, folder), readFile: (path) => repo.readFile(commit, path) },
    openWorkspace: (signal) => workspaceFromGit(repo, commit, undefined, signal),
  };
}
