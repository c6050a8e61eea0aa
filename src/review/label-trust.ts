import type { Logger } from "pino";
import { effectiveRole, meetsPermission } from "../config/permission.js";
import type { RepoConfig } from "../config/repo-config.js";
import { autoReviewSkip, type PullRequestFacts, type SkipReason } from "./auto-review.js";

/** What deciding whether a label may skip the review needs of GitHub. */
export interface LabelAuthority {
  /** This app's bot login, when known: a label it applied came from a permitted `/data-engineer pause`. */
  readonly ownLogin: string | undefined;
  labelAppliers(labels: readonly string[]): Promise<Map<string, string>>;
  permissionOf(username: string): Promise<{ permission: string; roleName?: string }>;
}

/**
 * Why the pull request is not reviewed automatically, counting the pause label and
 * `autoReview.ignoreLabels` only when someone with `commands.minPermission` applied them (or
 * this app did, for a `/data-engineer pause` it accepted): anyone who can label a pull request
 * (triage, or an author on some setups) could otherwise turn a required check into a skipped one.
 * A label that does not count is logged and left aside, and the next reason is looked at.
 */
export async function trustedAutoReviewSkip(pr: PullRequestFacts, config: RepoConfig, github: LabelAuthority, log: Logger): Promise<SkipReason | undefined> {
  let labels = [...pr.labels];
  let appliers: Map<string, string> | undefined;
  for (;;) {
    const skip = autoReviewSkip({ ...pr, labels }, config);
    const label = skip && "label" in skip ? skip.label : undefined;
    if (!skip || label === undefined) return skip;
    appliers ??= await github.labelAppliers(pr.labels);
    const applier = appliers.get(label);
    if (applier !== undefined && (await permitted(applier, config, github))) return skip;
    log.warn({ label, appliedBy: applier ?? null, minPermission: config.commands.minPermission }, "label not applied by a permitted user; reviewing anyway");
    labels = labels.filter((l) => l !== label);
  }
}

async function permitted(login: string, config: RepoConfig, github: LabelAuthority): Promise<boolean> {
  if (github.ownLogin !== undefined && login.toLowerCase() === github.ownLogin.toLowerCase()) return true;
  if (login.endsWith("[bot]")) return false; // another app: it has no repository role of its own to check
  return meetsPermission(effectiveRole(await github.permissionOf(login)), config.commands.minPermission);
}
