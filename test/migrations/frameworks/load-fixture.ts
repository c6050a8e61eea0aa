import { readFileSync, readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { SourceFile } from "../../../src/migrations/model.js";

export const FIXTURES_ROOT = fileURLToPath(new URL("../../fixtures/", import.meta.url));

/**
 * Every file under `test/fixtures/<folder>`, as SourceFiles with paths relative to that folder,
 * sorted by path. A trailing `.fixture` is dropped from names: JavaScript and TypeScript
 * migrations are stored as `*.js.fixture` / `*.ts.fixture` so the project's own tsc and eslint
 * never compile them.
 */
export function loadFixture(folder: string): SourceFile[] {
  const root = join(FIXTURES_ROOT, folder);
  const files: SourceFile[] = [];
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const full = join(directory, entry.name);
      if (entry.isDirectory()) walk(full);
      else
        files.push({
          path: relative(root, full)
            .split(sep)
            .join("/")
            .replace(/\.fixture$/, ""),
          text: readFileSync(full, "utf8"),
        });
    }
  };
  walk(root);
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
