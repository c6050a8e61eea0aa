import { repoConfigJsonSchema } from "../../config/repo-config.js";
import { RULE_DESCRIPTIONS } from "../../rules/index.js";
import { EXIT, type CliIo } from "../io.js";

/** `data-engineer config schema`: the JSON Schema of .github/data-engineer.yml, for editors. */
export function configSchema(io: CliIo): number {
  io.out(`${JSON.stringify(repoConfigJsonSchema(RULE_DESCRIPTIONS), null, 2)}\n`);
  return EXIT.ok;
}
