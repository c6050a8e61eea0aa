#!/usr/bin/env node
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { errorMessage } from "../errors.js";
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
  // Each command parses its own options, and is imported only when it runs: `lint` then never
  // loads the GitHub client, the agent or the replay engine, and `--help` loads none of them.
  if (command === "lint") return (await import("./commands/lint.js")).lint(rest, io);
  if (command === "review") return (await import("./commands/review.js")).review(rest, io);
  if (command === "replay") return (await import("./commands/replay.js")).replay(rest, io);
  if (command === "agents" && rest[0] === "check") return (await import("./commands/agents-check.js")).agentsCheck(rest.slice(1), io);
  if (command === "demo" && rest.length === 0) return (await import("./commands/demo.js")).demo(io);
  if (command === "config" && rest[0] === "schema" && rest.length === 1) return (await import("./commands/config-schema.js")).configSchema(io);
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

/** Runs the process's command line and sets its exit code (the bundle's entry calls this). */
export async function runCli(): Promise<void> {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`data-engineer: ${errorMessage(error)}\n`);
    process.exitCode = EXIT.internal;
  }
}

if (isEntryPoint()) await runCli();
