import { existsSync, statSync } from "node:fs";
import { relative, resolve } from "node:path";
import { listAgentDefinitionFiles, loadAgentDefinition } from "../../agent/definition.js";
import { AgentDefinitionError, errorMessage } from "../../errors.js";
import { packageFile } from "../../package-files.js";
import { EXIT, type CliIo } from "../io.js";

/** The definitions shipped with data-engineer (agents/ at the package root). */
export const BUNDLED_AGENTS_DIR = packageFile("agents") + "/";

async function expand(paths: readonly string[], io: CliIo): Promise<string[]> {
  if (paths.length === 0) {
    const local = resolve(io.cwd, "agents");
    return listAgentDefinitionFiles(existsSync(local) ? local : BUNDLED_AGENTS_DIR);
  }
  const files: string[] = [];
  for (const path of paths) {
    const full = resolve(io.cwd, path);
    if (existsSync(full) && statSync(full).isDirectory()) files.push(...(await listAgentDefinitionFiles(full)).map((file) => relative(io.cwd, file)));
    else files.push(path);
  }
  return files;
}

/** `data-engineer agents check [files…]`: validates agent definitions; 1 when any is invalid. */
export async function agentsCheck(paths: readonly string[], io: CliIo): Promise<number> {
  const files = await expand(paths, io);
  if (files.length === 0) {
    io.err("agents check: no agent definitions (*.md) found\n");
    return EXIT.usage;
  }
  let invalid = 0;
  for (const file of files) {
    try {
      const definition = await loadAgentDefinition(resolve(io.cwd, file));
      io.out(`ok       ${file} (${definition.name}, ${definition.tools.length} tools)\n`);
      if (definition.unavailableTools.length > 0) {
        io.out(
          `  note: ${definition.unavailableTools.join(", ")} ${definition.unavailableTools.length === 1 ? "is" : "are"} ` +
            "not available to the review agent and will be refused (it only reads the repository)\n",
        );
      }
    } catch (error) {
      invalid++;
      const problems = error instanceof AgentDefinitionError ? error.problems : [errorMessage(error)];
      io.out(`invalid  ${file}\n${problems.map((p) => `  - ${p}\n`).join("")}`);
    }
  }
  io.out(`${files.length - invalid} valid, ${invalid} invalid\n`);
  return invalid > 0 ? EXIT.findings : EXIT.ok;
}
