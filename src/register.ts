#!/usr/bin/env node
import { errorMessage } from "./errors.js";
import { startRegistration } from "./server.js";

try {
  await startRegistration();
} catch (error) {
  process.stderr.write(`${errorMessage(error)}\n`);
  process.exit(1);
}
