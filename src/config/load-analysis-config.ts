import { readFile } from "node:fs/promises";
import YAML from "yaml";

import { UserInputError, errorMessage } from "../errors.js";
import { AnalysisConfigSchema, type AnalysisConfig } from "./analysis-config.js";

/** A configuration file that does not load: the message names the file and the key. */
export class ConfigError extends UserInputError {}

/** Parses analysis settings from YAML text (the keys of .github/data-engineer.yml that the analysis reads). */
export function parseAnalysisConfig(text: string, file: string): AnalysisConfig {
  let data: unknown;
  try {
    data = YAML.parse(text, { schema: "core", uniqueKeys: true, maxAliasCount: 100 }) ?? {};
  } catch (error) {
    throw new ConfigError(`${file}: not valid YAML: ${errorMessage(error).split("\n")[0] ?? ""}`, { cause: error });
  }
  const result = AnalysisConfigSchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      if (issue.code === "unrecognized_keys") return `unknown key ${issue.keys.map((k) => `"${[...issue.path, k].join(".")}"`).join(", ")}`;
      return `key "${issue.path.join(".")}": ${issue.message}`;
    });
    throw new ConfigError(`${file}: ${problems.join("; ")}`, { cause: result.error });
  }
  return result.data;
}

export async function loadAnalysisConfig(file: string): Promise<AnalysisConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ConfigError(`${file}: cannot be read: ${errorMessage(error)}`, { cause: error });
  }
  return parseAnalysisConfig(text, file);
}

