// `npm run readme:cli`: rewrites the README's option tables of `data-engineer review`, `lint` and
// `replay` (between their `<!-- options of … -->` markers) from the tables the commands parse with,
// so that the README and `--help` say the same. Runs the built code (npm run builds first);
// test/cli/readme-options.test.ts fails when the README is behind.
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { URL } from "node:url";
import { withCurrentOptionTables } from "../dist/cli/readme-options.js";

const readmeUrl = new URL("../README.md", import.meta.url);
const readme = readFileSync(readmeUrl, "utf8");
const current = withCurrentOptionTables(readme);
if (current === readme) {
  process.stdout.write("README.md: option tables already current\n");
} else {
  writeFileSync(readmeUrl, current);
  process.stdout.write("README.md: option tables rewritten\n");
}
