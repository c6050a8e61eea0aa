import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { DEFAULT_REPO_CONFIG, parseRepoConfigText, REPO_CONFIG_FILE } from "../../config/repo-config.js";
import { collectFiles } from "../../migrations/collect-files.js";
import { packageFile } from "../../package-files.js";
import { buildReview, type ReviewInput } from "../../review/build-review.js";
import { addedFilePatch } from "../../report/diff-anchors.js";
import { loadSqlParser } from "../../sql/parse.js";
import { EXIT, type CliIo } from "../io.js";
import { reviewMarkdown } from "./review.js";

/** The sample repository and pull request the demo reviews, shipped in examples/demo/. */
export const DEMO_DIR = packageFile("examples", "demo") + "/";

const DemoPullRequest = z.object({ title: z.string(), headSha: z.string(), changed: z.array(z.string()).min(1) });

/**
 * `data-engineer demo`: the check run and the review the app would post on a sample pull request
 * (examples/demo), built by the same code, with no GitHub and no model key.
 */
export async function demo(io: CliIo): Promise<number> {
  const { pr, input } = await demoReviewInput();
  const review = buildReview(input);
  io.out(`Pull request: ${pr.title} (${input.relevant.length} migration files)\n\n${reviewMarkdown(review)}`);
  return EXIT.ok;
}

/** The demo pull request and the review input the app would build for it (also used by bench:agent). */
export async function demoReviewInput(dir: string = DEMO_DIR): Promise<{ pr: z.infer<typeof DemoPullRequest>; input: ReviewInput }> {
  const pr = DemoPullRequest.parse(JSON.parse(readFileSync(join(dir, "pull-request.json"), "utf8")));
  const repo = join(dir, "repo");
  const { files } = await collectFiles(["."], repo);
  const configPath = join(repo, REPO_CONFIG_FILE);
  const config = existsSync(configPath) ? parseRepoConfigText(readFileSync(configPath, "utf8"), REPO_CONFIG_FILE) : DEFAULT_REPO_CONFIG;
  const relevant = pr.changed.map((path) => {
    const text = files.find((f) => f.path === path)?.text ?? "";
    const lines = text.split("\n").length;
    return {
      path,
      status: "added" as const,
      additions: lines,
      deletions: 0,
      patch: addedFilePatch(text),
      kind: path.endsWith(".sql") ? ("sql" as const) : ("migration" as const),
    };
  });
  await loadSqlParser();
  return {
    pr,
    input: { files, relevant, config, posted: new Set(), notReviewed: [], listing: { listed: relevant.length, changed: relevant.length }, headSha: pr.headSha },
  };
}
