#!/usr/bin/env node
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { errorMessage } from "../errors.js";
import { EXIT, processIo, type CliIo } from "./io.js";

// Options are listed by each command's --help only, from the table it parses with (src/cli/options.ts).
export const USAGE = `Usage: data-engineer <command> [options]

Commands:
  lint [paths…]           analyse migrations: files, or folders (ups paired with downs)
  review                  the review the app would post for this branch
  review --github         in a GitHub Actions job: post that review on the event's pull request
  replay [dir]            replay every SQL migration in a real Postgres: locks taken, down checked
                          against the schema before up
  agents check [files…]   validate agent definitions (default: ./agents, else the bundled ones)
  demo                    show the check run data-engineer reports for a sample pull request
  config schema           print the JSON Schema of .github/data-engineer.yml
  help [command]          show this text, or a command's options

\`data-engineer <command> --help\` (or \`data-engineer help <command>\`) lists the options of lint, review and replay.
`;

type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

/** The commands with options of their own, each answering --help; imported only when run. */
const WITH_OPTIONS: Readonly<Record<string, () => Promise<Command>>> = {
  lint: async () => (await import("./commands/lint.js")).lint,
  review: async () => (await import("./commands/review.js")).review,
  replay: async () => (await import("./commands/replay.js")).replay,
};

/** Runs one command line; returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  // Each command parses its own options, and is imported only when it runs: `lint` then never
  // loads the GitHub client, the agent or the replay engine, and `--help` loads none of them.
  // lint's run cache answers an unchanged run before the analysis's modules are loaded.
  if (command === "lint") return (await import("./lint-run-cache.js")).lintThroughRunCache(rest, io);
  // So does review's, for a local review of the same commits.
  if (command === "review") return (await import("./review-run-cache.js")).reviewThroughRunCache(rest, io);
  if (command === "replay") return (await import("./commands/replay.js")).replay(rest, io);
  if (command === "agents" && rest[0] === "check") return (await import("./commands/agents-check.js")).agentsCheck(rest.slice(1), io);
  if (command === "demo" && rest.length === 0) return (await import("./commands/demo.js")).demo(io);
  if (command === "config" && rest[0] === "schema" && rest.length === 1) return (await import("./commands/config-schema.js")).configSchema(io);
  const topic = command === "help" && rest.length === 1 && rest[0] !== undefined && Object.hasOwn(WITH_OPTIONS, rest[0]) ? WITH_OPTIONS[rest[0]] : undefined;
  if (topic) return (await topic())(["--help"], io);
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
