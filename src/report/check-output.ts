import { plural } from "./markdown.js";
import { groupedDigits } from "./grouped-digits.js";

/** The name teams make a required status check. */
export const CHECK_NAME = "data-engineer";

/** GitHub rejects check run summaries and texts over 65,535 characters; keep a margin. */
export const CHECK_SUMMARY_LIMIT = 60_000;
/** GitHub rejects check run titles over 255 characters. */
export const CHECK_TITLE_LIMIT = 255;

/**
 * The button on every completed check run: GitHub sends `check_run.requested_action` with its
 * identifier, and the pull request's head is reviewed again. GitHub's limits: label 20
 * characters, description 40, identifier 20.
 */
export const REREVIEW_ACTION = {
  label: "Re-review",
  description: "Review this pull request again",
  identifier: "rereview",
} as const;

export type CheckConclusion = "success" | "neutral" | "failure" | "skipped";

export interface CheckOutput {
  title: string;
  summary: string;
}

export interface CheckResult {
  conclusion: CheckConclusion;
  output: CheckOutput;
}

export const IN_PROGRESS_OUTPUT: CheckOutput = {
  title: "Reviewing migrations",
  summary: "data-engineer is looking at the files this pull request changes.",
};

export function draftSkipped(): CheckResult {
  return {
    conclusion: "skipped",
    output: {
      title: "Draft pull request: review waits until it is ready",
      summary: "data-engineer does not review drafts. Mark the pull request **Ready for review** and the migrations it changes will be reviewed.",
    },
  };
}

/** Not reviewed because the repository's configuration says so. */
export function configSkipped(reason: string): CheckResult {
  return {
    conclusion: "skipped",
    output: {
      title: "Not reviewed: configuration",
      summary: `data-engineer did not review this pull request: ${reason}. This is set in .github/data-engineer.yml on the default branch.`,
    },
  };
}

/** The configuration file does not load: nothing is reviewed, and the check says which key is wrong. */
export function invalidConfig(message: string): CheckResult {
  return {
    conclusion: "failure",
    output: {
      title: "Invalid .github/data-engineer.yml",
      summary: `data-engineer reviewed nothing, because its configuration does not load:\n\n${message}\n\nFix the file on the default branch, then use **Re-run** on this check.`,
    },
  };
}

export interface FileListing {
  /** Files GitHub listed for the pull request. */
  listed: number;
  /** Files the pull request changes according to GitHub; more than `listed` when GitHub stopped listing. */
  changed: number;
}

function unlistedNote(listing: FileListing): string | undefined {
  const unlisted = listing.changed - listing.listed;
  if (unlisted <= 0) return undefined;
  return (
    `> [!WARNING]\n> GitHub lists at most ${groupedDigits(listing.listed)} files of a pull request; ` +
    `${plural(unlisted, "changed file was", "changed files were")} not examined.`
  );
}

export function noRelevantChanges(listing: FileListing): CheckResult {
  const note = unlistedNote(listing);
  if (note) {
    return {
      conclusion: "neutral",
      output: {
        title: "No migration or SQL changes among the files GitHub listed",
        summary: `${note}\n\nNone of the ${plural(listing.listed, "listed file")} is a migration or SQL file.`,
      },
    };
  }
  return {
    conclusion: "success",
    output: {
      title: "No migration or SQL changes",
      summary: `None of the ${plural(listing.changed, "changed file")} is a migration or SQL file, so there is nothing to review.`,
    },
  };
}

/** Every error path ends here: the check completes and says why, so it never stays in progress. */
/** This commit's review was dropped: the pull request moved to `head` (when known), which gets its own. */
export function supersededByCommit(head?: string): CheckResult {
  return {
    conclusion: "neutral",
    output: {
      title: "Superseded by a newer commit",
      summary: head
        ? `The pull request moved to ${head.slice(0, 7)} while this commit was reviewed; that commit gets its own review.`
        : "A newer push or re-run of this pull request replaced this review; the newest one reports on the pull request's head.",
    },
  };
}

export function reviewFailed(reason: string): CheckResult {
  const summary =
    `data-engineer could not finish reviewing this pull request.\n\n**Reason:** ${reason}\n\n` +
    "Use **Re-run** on this check to try again. If it keeps failing, the reason above says what to fix.";
  return {
    conclusion: "failure",
    output: {
      title: "Review failed",
      summary: summary.length <= CHECK_SUMMARY_LIMIT ? summary : `${summary.slice(0, CHECK_SUMMARY_LIMIT - 1)}…`,
    },
  };
}
