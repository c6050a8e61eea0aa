import type { SourceFile } from "../migrations/model.js";
import type { RelevantFile } from "../migrations/relevant-files.js";
import { pathologicalNesting } from "../sql/comment-nesting.js";
import { MAX_REVIEWED_FILE_BYTES, filesToRead, foldersToList, likelyCounterparts, type FolderEntry } from "./gather-plan.js";
import type { Head } from "./head.js";

/** What gathering needs of the head commit: listings and texts, not the whole tree. */
export type HeadSource = Pick<Head, "listFolder" | "readFile" | "prefetch">;

export interface Gathered {
  files: SourceFile[];
  /** `refused`: the file was judged hostile (it would stall the parser), not merely left out: the check fails. */
  notReviewed: Array<{ path: string; reason: string; refused?: true }>;
}

export const DELETED_REASON = "deleted by this pull request";

/**
 * Step 1 of the review: reads the changed migrations and their counterparts at the head commit;
 * says which changed files were not reviewed and why.
 */
export async function gatherMigrationFiles(source: HeadSource, relevant: readonly RelevantFile[]): Promise<Gathered> {
  const notReviewed: Gathered["notReviewed"] = relevant.filter((f) => f.status === "removed").map((f) => ({ path: f.path, reason: DELETED_REASON }));
  const changed = relevant.filter((f) => f.status !== "removed").map((f) => f.path);
  const changedSet = new Set(changed);
  const folders = foldersToList(changed);
  // One read for the folders, the changed files and the counterparts they most likely have; the
  // plan's true counterparts are known only from the listings, and any the guess missed are read
  // in a second go.
  await source.prefetch?.(folders, [...changed, ...likelyCounterparts(changed)]);
  const listings = new Map<string, FolderEntry[]>();
  for (const folder of folders) listings.set(folder, await source.listFolder(folder));
  const sizes = new Map([...listings.values()].flat().map((e) => [e.path, e.size]));
  const toRead = filesToRead(changed, listings).filter((path) => (sizes.get(path) ?? 0) <= MAX_REVIEWED_FILE_BYTES);
  await source.prefetch?.([], toRead);
  const files: SourceFile[] = [];
  for (const path of filesToRead(changed, listings)) {
    if ((sizes.get(path) ?? 0) > MAX_REVIEWED_FILE_BYTES) {
      if (changedSet.has(path)) notReviewed.push({ path, reason: `larger than ${MAX_REVIEWED_FILE_BYTES / 1024 / 1024} MiB` });
      continue;
    }
    const text = await source.readFile(path);
    if (text === undefined) {
      if (changedSet.has(path)) notReviewed.push({ path, reason: "could not be read at the head commit" });
      continue;
    }
    // Refused before it can reach the parser (which runs on the event loop every tenant shares);
    // a counterpart refused is left out like one too large to read.
    const hostile = pathologicalNesting(text);
    if (hostile !== undefined) {
      if (changedSet.has(path)) notReviewed.push({ path, reason: hostile, refused: true });
      continue;
    }
    files.push({ path, text });
  }
  return { files, notReviewed };
}
