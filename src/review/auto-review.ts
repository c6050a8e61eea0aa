import type { RepoConfig } from "../config/repo-config.js";
import type { CheckResult } from "../report/check-output.js";

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

/**
 * The label `/data-engineer pause` puts on a pull request (and `resume` removes): automatic
 * reviews skip it. A label survives restarts and needs no storage of ours.
 */
export const PAUSED_LABEL = "data-engineer:paused";

/** Why a pull request is not reviewed automatically; `label` names the label it rests on, when one. */
export type SkipReason = { kind: "draft" } | { kind: "config"; reason: string; label?: string } | { kind: "paused"; reason: string; label: string };

const PAUSED_REASON =
  `automatic reviews of this pull request are paused (it has the label "${PAUSED_LABEL}"). ` +
  "Comment `/data-engineer resume` to resume them, or `/data-engineer review` for one review now";

/** Why this pull request is not reviewed automatically, or undefined when it is. */
export function autoReviewSkip(pr: PullRequestFacts, config: RepoConfig): SkipReason | undefined {
  // Paused first: someone asked for exactly this pull request to be left alone.
  if (pr.labels.includes(PAUSED_LABEL)) return { kind: "paused", reason: PAUSED_REASON, label: PAUSED_LABEL };
  const auto = config.autoReview;
  if (!auto.enabled) return { kind: "config", reason: "automatic reviews are off (`autoReview.enabled: false`)" };
  if (pr.draft && !auto.drafts) return { kind: "draft" };
  if (auto.ignoreAuthors.includes(pr.author))
    return { kind: "config", reason: `pull requests by ${pr.author} are not reviewed (\`autoReview.ignoreAuthors\`)` };
  const label = pr.labels.find((l) => auto.ignoreLabels.includes(l));
  if (label !== undefined) return { kind: "config", reason: `the pull request has the label "${label}" (\`autoReview.ignoreLabels\`)`, label };
  if (auto.baseBranches.length > 0 && !auto.baseBranches.includes(pr.baseRef)) {
    return { kind: "config", reason: `the base branch ${pr.baseRef} is not one of \`autoReview.baseBranches\`` };
  }
  return undefined;
}

/** The skipped check run of a paused pull request, saying how to resume. */
export function pausedSkipped(): CheckResult {
  return {
    conclusion: "skipped",
    output: {
      title: "Paused: automatic reviews are off for this pull request",
      summary:
        `data-engineer did not review this commit: automatic reviews of this pull request were paused with \`/data-engineer pause\` (the label \`${PAUSED_LABEL}\`).\n\n` +
        "Comment `/data-engineer resume` to resume them (or remove the label), or `/data-engineer review` for one review now.",
    },
  };
}
