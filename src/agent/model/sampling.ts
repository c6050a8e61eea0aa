/**
 * Sampling settings the operator sets per model family, read from the environment in the agent
 * module (not the repository config: a repository must not tune the operator's model). Google's
 * guidance for Gemini 3 is to keep temperature at its default 1.0 (lower values risk loops), while
 * older families review well at a low temperature, so one number for every model is wrong for one
 * of them. The definition's temperature applies unless an override names the model's family.
 *
 *   DATA_ENGINEER_AGENT_TEMPERATURES="gemini-3=1.0,gemini-2.5=0.2"   (longest matching prefix wins)
 *   DATA_ENGINEER_AGENT_THINKING_LEVEL=low                            (minimal, low, medium, high)
 */

export const THINKING_LEVELS = ["minimal", "low", "medium", "high"] as const;
export type ThinkingLevelName = (typeof THINKING_LEVELS)[number];

export interface FamilyTemperature {
  /** A model-name prefix, e.g. "gemini-3". */
  family: string;
  temperature: number;
}

export interface SamplingSettings {
  temperatures?: FamilyTemperature[];
  thinkingLevel?: ThinkingLevelName;
}

export const SAMPLING_ENV_VARIABLES = ["DATA_ENGINEER_AGENT_TEMPERATURES", "DATA_ENGINEER_AGENT_THINKING_LEVEL"] as const;

const FAMILY = /^[a-z0-9][a-z0-9.-]{0,63}$/;

export function samplingFromEnv(env: NodeJS.ProcessEnv, problems: string[]): SamplingSettings {
  const out: SamplingSettings = {};
  const temperatures = env.DATA_ENGINEER_AGENT_TEMPERATURES?.trim();
  if (temperatures) {
    const parsed: FamilyTemperature[] = [];
    for (const item of temperatures.split(",")) {
      const [family = "", value = ""] = item.split("=").map((p) => p.trim());
      const temperature = Number(value);
      if (!FAMILY.test(family) || value === "" || !Number.isFinite(temperature) || temperature < 0 || temperature > 2) {
        problems.push(
          "DATA_ENGINEER_AGENT_TEMPERATURES must be family=temperature pairs separated by commas, such as gemini-3=1.0,gemini-2.5=0.2 (temperatures 0 to 2).",
        );
        break;
      }
      parsed.push({ family, temperature });
    }
    if (parsed.length > 0) out.temperatures = parsed;
  }
  const level = env.DATA_ENGINEER_AGENT_THINKING_LEVEL?.trim().toLowerCase();
  if (level) {
    if ((THINKING_LEVELS as readonly string[]).includes(level)) out.thinkingLevel = level as ThinkingLevelName;
    else problems.push(`DATA_ENGINEER_AGENT_THINKING_LEVEL must be one of ${THINKING_LEVELS.join(", ")}.`);
  }
  return out;
}

/** The operator's temperature for this model's family (the longest matching prefix), if any. */
export function familyTemperature(temperatures: readonly FamilyTemperature[] | undefined, model: string): number | undefined {
  const name = model.replace(/^(?:models\/|publishers\/google\/models\/)/, "");
  const match = (temperatures ?? []).filter((t) => name.startsWith(t.family)).sort((a, b) => b.family.length - a.family.length)[0];
  return match?.temperature;
}
