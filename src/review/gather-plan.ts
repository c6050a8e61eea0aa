/**
 * Which files of the head commit the analysis needs besides the changed migrations themselves: the
 * other half of an up/down pair, a Diesel folder's metadata.toml, a Flyway undo script, a sqitch
 * revert script. Each framework's own counterpart finder decides (src/migrations/read-plan.ts),
 * the same one `lint` reads through; plain data in and out.
 */

export { filesToRead, foldersToList, type FolderEntry } from "../migrations/read-plan.js";

/** Files larger than this are not read (no migration is this big); they are listed as not reviewed. */
export const MAX_REVIEWED_FILE_BYTES = 1024 * 1024;

/**
 * Counterparts a changed file most likely has, guessed from its name alone (before any folder is
 * listed), so the head's first read can fetch them with the changed files: an up's down
 * (golang-migrate, node-pg-migrate's SQL, Diesel), a Diesel folder's metadata.toml, a Flyway
 * script's `.conf`, EF Core's designer file, sqitch's revert and verify scripts. A wrong guess
 * costs an empty answer; a missed one a second read. The plan (filesToRead) still decides.
 */
export function likelyCounterparts(paths: readonly string[]): string[] {
  const guesses = new Set<string>();
  for (const path of paths) {
    const slash = path.lastIndexOf("/");
    const folder = path.slice(0, slash + 1);
    const name = path.slice(slash + 1);
    const swap = (from: RegExp, to: string) => {
      if (from.test(name)) guesses.add(folder + name.replace(from, to));
    };
    swap(/\.up\.sql$/i, ".down.sql");
    swap(/\.down\.sql$/i, ".up.sql");
    swap(/_up\.sql$/i, "_down.sql");
    swap(/_down\.sql$/i, "_up.sql");
    if (name === "up.sql" || name === "down.sql") {
      guesses.add(`${folder}${name === "up.sql" ? "down.sql" : "up.sql"}`);
      guesses.add(`${folder}metadata.toml`);
    }
    if (/^V\d[\w.]*__.*\.sql$/.test(name)) guesses.add(`${path}.conf`);
    if (/\.cs$/i.test(name)) guesses.add(/\.Designer\.cs$/i.test(name) ? path.replace(/\.Designer\.cs$/i, ".cs") : path.replace(/\.cs$/i, ".Designer.cs"));
    const sqitch = /^(.*\/)?deploy\/(.+)$/.exec(path);
    if (sqitch) for (const kind of ["revert", "verify"]) guesses.add(`${sqitch[1] ?? ""}${kind}/${sqitch[2]}`);
  }
  for (const path of paths) guesses.delete(path);
  return [...guesses].sort();
}
