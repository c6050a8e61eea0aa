import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** The git work tree holding `dir` (the nearest folder with a .git), or undefined outside one. */
export function workTreeOf(dir: string): string | undefined {
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (existsSync(join(current, ".git"))) return current;
    if (dirname(current) === current) return undefined;
  }
}
