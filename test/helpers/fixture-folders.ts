import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "../..");

const dirsUnder = (folder: string): string[] =>
  readdirSync(join(ROOT, folder))
    .map((name) => `${folder}/${name}`)
    .filter((path) => statSync(join(ROOT, path)).isDirectory());

/** The whole fixture corpus, relative to the project: examples/demo and every folder of test/fixtures, one and two levels down. */
export const FIXTURE_FOLDERS: readonly string[] = ["examples/demo/repo", ...dirsUnder("test/fixtures").flatMap((folder) => [folder, ...dirsUnder(folder)])];
