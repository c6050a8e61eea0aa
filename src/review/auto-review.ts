import type { RepoConfig } from "../config/repo-config.js";

/** What decides whether a pull request is reviewed without being asked. */
export interface PullRequestFacts {
  draft: boolean;
  author: string;
  labels: readonly string[];
  baseRef: string;
  /** How many files GitHub says the pull request changes (`pull_request.changed_files`). */
  changedFiles: number;
  /** The pull request's title and description: data for the agent, never instructions. */
  title?: string;
  body?: string;
}

export type SkipReason = { kind: "draft" } | { kind: "config"; reason: string };

/** Why this pull request is not reviewed automatically, or undefined when it is. */
export function autoReviewSkip(pr: PullRequestFacts, config: RepoConfig): SkipReason | undefined {
  const auto = config.autoReview;
  if (!auto.enabled) return { kind: "config", reason: "automatic reviews are off (`autoReview.enabled: false`)" };
  if (pr.draft && !auto.drafts) return { kind: "draft" };
  if (auto.ignoreAuthors.includes(pr.author)) return { kind: "config", reason: `pull requests by ${pr.author} are not reviewed (\`autoReview.ignoreAuthors\`)` };
  const label = pr.labels.find((l) => auto.ignoreLabels.includes(l));
  if (label !== undefined) return { kind: "config", reason: `the pull request has the label "${label}" (\`autoReview.ignoreLabels\`)` };
  if (auto.baseBranches.length > 0 && !auto.baseBranches.includes(pr.baseRef)) {
    return { kind: "config", reason: `the base branch ${pr.baseRef} is not one of \`autoReview.baseBranches\`` };
  }
  return undefined;
}
