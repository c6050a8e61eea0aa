/**
 * Which files of the head commit the analysis needs besides the changed migrations themselves: the
 * other half of an up/down pair, a Diesel folder's metadata.toml, a Flyway undo script, a sqitch
 * revert script. Each framework's own counterpart finder decides (src/migrations/read-plan.ts),
 * the same one `lint` reads through; plain data in and out.
 */

export { filesToRead, foldersToList, type FolderEntry } from "../migrations/read-plan.js";

/** Files larger than this are not read (no migration is this big); they are listed as not reviewed. */
export const MAX_REVIEWED_FILE_BYTES = 1024 * 1024;
