import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { selectRelevantFiles } from "../../migrations/relevant-files.js";
import { CHECK_NAME, noRelevantChanges, relevantFilesFound } from "../../report/check-output.js";
import { EXIT, type CliIo } from "../io.js";

/** The sample pull request the demo reviews, shipped in examples/demo/. */
export const DEMO_PULL_REQUEST = fileURLToPath(new URL("../../../examples/demo/pull-request-files.json", import.meta.url));

const DemoPullRequest = z.object({
  title: z.string(),
  changed_files: z.int().nonnegative(),
  files: z.array(
    z.object({
      filename: z.string(),
      status: z.enum(["added", "removed", "modified", "renamed", "copied", "changed", "unchanged"]),
      additions: z.int().nonnegative(),
      deletions: z.int().nonnegative(),
      previous_filename: z.string().optional(),
    }),
  ),
});

/** `data-engineer demo`: the check run the app reports for a sample pull request, without GitHub. */
export async function demo(io: CliIo): Promise<number> {
  const sample = DemoPullRequest.parse(JSON.parse(await readFile(DEMO_PULL_REQUEST, "utf8")));
  const files = sample.files.map((f) => ({
    path: f.filename,
    status: f.status,
    previousPath: f.previous_filename,
    additions: f.additions,
    deletions: f.deletions,
  }));
  const relevant = selectRelevantFiles(files);
  const listing = { listed: files.length, changed: sample.changed_files };
  const result = relevant.length > 0 ? relevantFilesFound(relevant, listing) : noRelevantChanges(listing);
  io.out(
    `Pull request: ${sample.title} (${files.length} files changed)\n\n` +
      `Check run "${CHECK_NAME}": ${result.conclusion}\n` +
      `Title: ${result.output.title}\n\n${result.output.summary}\n`,
  );
  return EXIT.ok;
}
