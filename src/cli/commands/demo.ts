import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { DEFAULT_REPO_CONFIG, parseRepoConfigText, REPO_CONFIG_FILE, type RepoConfig } from "../../config/repo-config.js";
import { collectFiles } from "../../migrations/collect-files.js";
import { packageFile } from "../../package-files.js";
import { buildReview, type ReviewInput } from "../../review/build-review.js";
import type { BuiltReview } from "../../review/compose.js";
import { TIER_NAME } from "../../rules/presets.js";
import type { Severity } from "../../rules/types.js";
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
  io.out(`Pull request: ${pr.title} (${input.relevant.length} migration files)\n\n${checkExplanation(review, input.config)}\n\n${reviewMarkdown(review)}`);
  return EXIT.ok;
}

const TIER_MEANING: Record<Severity, string> = {
  error: "blocks production or is refused by Postgres: fails the required check",
  warning: "a risk that depends on size or traffic, or a rollback gap",
  note: "an opinion (policy): listed once in the review body, not inline",
};

/** What the required check concludes and why: the rule (failOn), and one finding of each tier. */
export function checkExplanation(review: BuiltReview, config: RepoConfig): string {
  const lines = [`Why the required check says ${review.check.conclusion}:`];
  for (const tier of ["error", "warning", "note"] as const) {
    const of = review.findings.filter((f) => f.severity === tier);
    const first = of[0];
    const example = first ? `, e.g. ${first.rule} at ${first.path}:${first.line}` : "";
    lines.push(`- ${of.length} × ${TIER_NAME[tier]} (${TIER_MEANING[tier]})${example}`);
  }
  const rule =
    config.failOn === "never"
      ? "findings never fail it (failOn: never)"
      : config.failOn === "warning"
        ? "errors and warnings fail it (failOn: warning)"
        : "errors fail it (failOn: error, the default)";
  lines.push(`The check ${review.check.conclusion === "failure" ? "fails" : "passes"}: ${rule}; preset ${config.preset}.`);
  return lines.join("\n");
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
