#!/usr/bin/env node
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { errorMessage } from "../errors.js";
import { agentsCheck } from "./commands/agents-check.js";
import { configSchema } from "./commands/config-schema.js";
import { demo } from "./commands/demo.js";
import { lint } from "./commands/lint.js";
import { replay } from "./commands/replay.js";
import { review } from "./commands/review.js";
import { EXIT, processIo, type CliIo } from "./io.js";

export const USAGE = `Usage: data-engineer <command>

Commands:
  lint [paths…]           analyse migrations (--format text|json|sarif, --config FILE, --pg-version N)
  review                  the review the app would post for this branch (--repo, --base, --head,
                          --format markdown|json|sarif, --config FILE, --fail-on LEVEL)
  review --github         in a GitHub Actions job: post that review on the event's pull request
  replay [dir]            replay every SQL migration in a real Postgres: locks taken, down checked
                          against the schema before up (--engine pglite|postgres, --deadline S)
  agents check [files…]   validate agent definitions (default: ./agents, else the bundled ones)
  demo                    show the check run data-engineer reports for a sample pull request
  config schema           print the JSON Schema of .github/data-engineer.yml
  help                    show this text
`;

/** Runs one command line; returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  // Each command parses its own options.
  if (command === "lint") return lint(rest, io);
  if (command === "review") return review(rest, io);
  if (command === "replay") return replay(rest, io);
  if (command === "agents" && rest[0] === "check") return agentsCheck(rest.slice(1), io);
  if (command === "demo" && rest.length === 0) return demo(io);
  if (command === "config" && rest[0] === "schema" && rest.length === 1) return configSchema(io);
  if (command === "help" || command === "--help" || command === "-h") {
    io.out(USAGE);
    return EXIT.ok;
  }
  io.err(command === undefined ? USAGE : `Unknown command: ${argv.join(" ")}\n\n${USAGE}`);
  return EXIT.usage;
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`data-engineer: ${errorMessage(error)}\n`);
    process.exitCode = EXIT.internal;
  }
}
