#!/usr/bin/env node
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { errorMessage } from "../errors.js";
import { agentsCheck } from "./commands/agents-check.js";
import { demo } from "./commands/demo.js";
import { EXIT, processIo, type CliIo } from "./io.js";

export const USAGE = `Usage: data-engineer <command>

Commands:
  agents check [files…]   validate agent definitions (default: ./agents, else the bundled ones)
  demo                    show the check run data-engineer reports for a sample pull request
  help                    show this text
`;

/** Runs one command line; returns the exit code. */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: { help: { type: "boolean", short: "h" } } });
  } catch (error) {
    io.err(`${errorMessage(error)}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const [command, ...rest] = parsed.positionals;
  if (command === undefined && !parsed.values.help) {
    io.err(USAGE);
    return EXIT.usage;
  }
  if (parsed.values.help || command === "help") {
    io.out(USAGE);
    return EXIT.ok;
  }
  if (command === "agents" && rest[0] === "check") return agentsCheck(rest.slice(1), io);
  if (command === "demo" && rest.length === 0) return demo(io);
  io.err(`Unknown command: ${[command, ...rest].join(" ")}\n\n${USAGE}`);
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
