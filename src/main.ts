#!/usr/bin/env node
import { errorMessage, EnvironmentError } from "./errors.js";
import { startServer } from "./server.js";

try {
  await startServer({ handleSignals: true });
} catch (error) {
  process.stderr.write(`${error instanceof EnvironmentError ? error.message : `data-engineer failed to start: ${errorMessage(error)}`}\n`);
  process.exit(1);
}
