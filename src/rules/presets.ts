import type { PresetId } from "../config/analysis-config.js";
import type { Rule, Severity } from "./types.js";

/**
 * The presets (`preset:` in the analysis config). A rule's meta.severity is its tier under
 * `recommended`: error (blocks production or is refused by Postgres), warning (a risk that depends
 * on size or traffic, a rollback gap) or note, the policy tier (opinions: type preferences,
 * timeouts where nothing blocks, compat bans that are normal expand/contract steps). `strict`
 * raises the policy rules to warning, so they are posted inline and fail a `failOn: warning` check.
 * `rules:` overrides either, per rule.
 */

/**
 * Notes that say what the analyser could not do, not what the team should: a templated file whose
 * statements were not analysed is not an opinion to enforce, so `strict` leaves it a note.
 */
const ANALYSER_NOTES: ReadonlySet<string> = new Set(["templated-sql"]);

/** The tier a rule reports at under a preset (before `rules:` and per-finding adjustments). */
export function presetSeverity(rule: Pick<Rule, "id" | "meta">, preset: PresetId): Severity {
  const tier = rule.meta.severity;
  if (preset === "strict" && tier === "note" && !ANALYSER_NOTES.has(rule.id)) return "warning";
  return tier;
}

/** How users read a tier: "Policy" for note (SARIF's and the config's older name for it). */
export const TIER_NAME: Record<Severity, string> = { error: "Error", warning: "Warning", note: "Policy" };
