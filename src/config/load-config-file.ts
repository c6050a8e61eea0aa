import { readFile } from "node:fs/promises";
import { ConfigError, errorMessage } from "../errors.js";
import { parseRepoConfigText, type RepoConfig } from "./repo-config.js";

/**
 * A configuration file named on the command line (`lint --config FILE`): the same format as
 * .github/data-engineer.yml, so a repository's file can be passed as it is.
 */
export async function loadConfigFile(file: string): Promise<RepoConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ConfigError(`${file}: cannot be read: ${errorMessage(error)}`, { cause: error });
  }
  return parseRepoConfigText(text, file);
}
