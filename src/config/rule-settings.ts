import { z } from "zod";
import { closeRuleIds } from "../ids/close-rule-ids.js";
import { RULE_IDS, SQUAWK_RULE_NAMES, isRuleId, ruleIdsFor, type RuleId, type SquawkRuleName } from "../ids/rule-ids.js";

/**
 * `rules:` in the configuration: per rule, off or the tier to report it at ("policy" and "note" are one tier). The keys are
 * the rule ids (replay checks included) and squawk's names for them, which the parse turns into
 * ours (a squawk name that covers several of our rules sets each of them), so a file written for squawk keeps working. Any other key is an error that names it: a
 * misspelt id would otherwise switch nothing off and say nothing.
 */
export const RuleSettingSchema = z
  .enum(["off", "note", "policy", "warning", "error"])
  .describe('off, or the tier to report the rule at: error, warning, or policy ("note" is the same tier, its SARIF name).');

/** A setting as the analysis reads it: "policy" is stored as "note", the tier's internal name. */
export type RuleSetting = "off" | "note" | "warning" | "error";

function normalized(setting: z.infer<typeof RuleSettingSchema>): RuleSetting {
  return setting === "policy" ? "note" : setting;
}

/** squawk's names that are not also ours (several of squawk's are spelt like our ids). */
const SQUAWK_ONLY_NAMES = (Object.keys(SQUAWK_RULE_NAMES) as SquawkRuleName[]).filter((name) => !isRuleId(name));

type RuleSettingsShape = { [Key in RuleId | SquawkRuleName]: z.ZodOptional<typeof RuleSettingSchema> };

const shape = Object.fromEntries([...RULE_IDS, ...SQUAWK_ONLY_NAMES].map((key) => [key, RuleSettingSchema.optional()])) as RuleSettingsShape;

export const RuleSettingsSchema = z
  .strictObject(shape)
  .superRefine((settings, context) => {
    // Two keys for one rule (ours and squawk's, or two of squawk's) must not disagree.
    const seen = new Map<RuleId, { key: string; setting: RuleSetting }>();
    for (const [key, written] of Object.entries(settings)) {
      if (written === undefined) continue;
      const setting = normalized(written);
      for (const id of ruleIdsFor(key)) {
        const earlier = seen.get(id);
        if (earlier && earlier.setting !== setting) {
          context.addIssue({
            code: "custom",
            path: [key],
            message: `names the rule ${id} like "${earlier.key}", which sets it to ${earlier.setting}; keep one of them`,
          });
        }
        seen.set(id, { key, setting });
      }
    }
  })
  .transform((settings): Record<string, RuleSetting> => {
    const byId: Record<string, RuleSetting> = {};
    for (const [key, setting] of Object.entries(settings)) {
      // squawk's require-timeout-settings sets both timeout rules, as it stands for both in squawk.
      if (setting !== undefined) for (const id of ruleIdsFor(key)) byId[id] = normalized(setting);
    }
    return byId;
  });

/** For a key of `rules` the schema does not know: ` (did you mean "…"?)` with the closest ids, or nothing. */
export function ruleKeyHint(key: string): string {
  const near = closeRuleIds(key, 3);
  return near.length > 0 ? ` (did you mean ${near.map((id) => `"${id}"`).join(", ")}?)` : "";
}

/**
 * Sets the description of every key of `rules` in the JSON Schema: the rule's own, and for
 * squawk's names which rule of ours they stand for. The descriptions come from the rules, which
 * the config does not import (the caller passes them).
 */
export function describeRuleKeys(schema: unknown, descriptions: Readonly<Record<RuleId, string>>): void {
  const properties = (schema as { properties?: { rules?: { properties?: Record<string, { description?: string }> } } }).properties?.rules?.properties;
  if (!properties) throw new Error("the configuration's JSON Schema has no rules.properties");
  for (const [key, property] of Object.entries(properties)) {
    const ids = ruleIdsFor(key);
    if (ids.length === 0) throw new Error(`the configuration's JSON Schema lists "${key}", which is no rule`);
    property.description =
      ids.length === 1 && ids[0] === key
        ? descriptions[key]
        : `squawk's name for ${[ids.slice(0, -1).join(", "), ids.at(-1)].filter(Boolean).join(" and ")}: ${ids.map((id) => descriptions[id]).join(" ")}`;
  }
}
