import { callGitHub } from "./call.js";
import type { GitHubOctokit } from "./octokit.js";

/**
 * Who last applied each of `labels` to the pull request, from its issue events (the label
 * events' actor; a label applied through an app names the app's bot). A label with no event
 * found is left out: nobody can be credited with it.
 */
export async function readLabelAppliers(
  octokit: GitHubOctokit,
  pr: { owner: string; repo: string; pullNumber: number },
  labels: readonly string[],
): Promise<Map<string, string>> {
  const events = await callGitHub({ kind: "read", doing: "reading who applied the pull request's labels" }, () =>
    octokit.paginate(octokit.rest.issues.listEvents, { owner: pr.owner, repo: pr.repo, issue_number: pr.pullNumber, per_page: 100 }),
  );
  const appliers = new Map<string, string>();
  for (const event of events) {
    const name = "label" in event ? event.label?.name : undefined;
    if (name === undefined || !labels.includes(name)) continue;
    if (event.event === "labeled" && event.actor?.login) appliers.set(name, event.actor.login);
    else if (event.event === "unlabeled") appliers.delete(name);
  }
  return appliers;
}
