import { parseArgs } from "node:util";
import pino from "pino";
import { agentRuntimeFromEnv } from "../../agent/runtime.js";
import { workspaceFromGit } from "../../agent/workspace/sources.js";
import { resolve } from "node:path";
import { DEFAULT_REPO_CONFIG, parseRepoConfigText, REPO_CONFIG_FILE, type RepoConfig } from "../../config/repo-config.js";
import { errorMessage } from "../../errors.js";
import { LocalRepo } from "../../git/local-repo.js";
import { createRelevantFileMatcher, selectRelevantFiles } from "../../migrations/relevant-files.js";
import type { BuiltReview } from "../../review/build-review.js";
import { buildReviewWithAgent } from "../../review/review-with-agent.js";
import { gatherMigrationFiles } from "../../review/gather.js";
import { CHECK_NAME } from "../../report/check-output.js";
import { loadSqlParser } from "../../sql/parse.js";
import { EXIT, type CliIo } from "../io.js";

export const REVIEW_USAGE = `Usage: data-engineer review [--repo DIR] [--base REF] [--head REF] [--format markdown|json] [--no-agent]

Reviews what HEAD (or --head) changes since it left --base (default: origin/HEAD, origin/main,
main or master), exactly as the app would on a pull request, and prints the review and the check
run's verdict. The configuration is read from --base, like the app reads the default branch.
With GEMINI_API_KEY (or Vertex AI) set, the data-engineer agent reads the tree at --head and
writes the Handoff Report; --no-agent leaves it out.
Exit 0 when the check would pass, 1 when it would fail, 2 on usage errors.
`;

/** What the review prints with --format json. */
export function reviewJson(review: BuiltReview): object {
  return {
    check: { name: CHECK_NAME, conclusion: review.check.conclusion, title: review.check.output.title, summary: review.check.output.summary },
    review: {
      event: review.event,
      body: review.body,
      comments: review.comments.map((c) => ({ path: c.path, line: c.line, ...(c.startLine !== undefined ? { startLine: c.startLine } : {}), body: c.body })),
    },
    findings: review.findings,
  };
}

export function reviewMarkdown(review: BuiltReview): string {
  const out = [`Check run "${CHECK_NAME}": ${review.check.conclusion} — ${review.check.output.title}`, "", `Review (${review.event}), ${review.comments.length} inline comments:`, ""];
  for (const c of review.comments) out.push(`--- ${c.path}:${c.startLine !== undefined ? `${c.startLine}-` : ""}${c.line}`, c.body, "");
  out.push("--- review body", review.body, "");
  return out.join("\n");
}

/** `data-engineer review`: the app's review of a local branch. */
export async function review(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        repo: { type: "string", default: "." },
        base: { type: "string" },
        head: { type: "string", default: "HEAD" },
        format: { type: "string", default: "markdown" },
        "no-agent": { type: "boolean", default: false },
      },
    });
  } catch (error) {
    io.err(`${errorMessage(error)}\n\n${REVIEW_USAGE}`);
    return EXIT.usage;
  }
  const { format, head } = parsed.values;
  if (format !== "markdown" && format !== "json") {
    io.err(`--format must be markdown or json, not "${format}"\n`);
    return EXIT.usage;
  }
  const repo = new LocalRepo(resolve(io.cwd, parsed.values.repo));
  try {
    const base = parsed.values.base ?? (await repo.firstExisting(["origin/HEAD", "origin/main", "main", "master"]));
    if (!base || !(await repo.resolve(base))) throw new Error(`no base to compare with${base ? `: ${base} is not a commit` : ""}; pass --base REF`);
    if (!(await repo.resolve(head))) throw new Error(`--head ${head} is not a commit`);
    const configText = await repo.readFile(base, REPO_CONFIG_FILE);
    const config: RepoConfig = configText === undefined ? DEFAULT_REPO_CONFIG : parseRepoConfigText(configText, `${base}:${REPO_CONFIG_FILE}`);
    const changed = await repo.changedFiles(base, head);
    const relevant = selectRelevantFiles(changed, createRelevantFileMatcher(config.paths.include, config.paths.exclude));
    const { files, notReviewed } = await gatherMigrationFiles({ listFolder: (f) => repo.listFolder(head, f), readFile: (p) => repo.readFile(head, p) }, relevant);
    await loadSqlParser();
    const headSha = (await repo.resolve(head)) ?? head;
    const reviewInput = { files, relevant, config, posted: new Set<string>(), notReviewed, listing: { listed: changed.length, changed: changed.length }, headSha, changed };
    const log = pino({ level: "warn" }, pino.destination(2));
    const runtime = parsed.values["no-agent"] || relevant.length === 0 || !config.agent.enabled ? undefined : agentRuntimeFromEnv(io.env ?? {}, log);
    const { review: built } = await buildReviewWithAgent(reviewInput, {
      runtime,
      pr: { number: 0, title: `Local review of ${head}`, body: "", author: "local", baseRef: base, headSha },
      openWorkspace: () => workspaceFromGit(repo, headSha),
      log,
    });
    if (relevant.length === 0) io.out(`Check run "${CHECK_NAME}": success — No migration or SQL changes\n`);
    else io.out(format === "json" ? `${JSON.stringify(reviewJson(built), null, 2)}\n` : reviewMarkdown(built));
    return built.check.conclusion === "failure" ? EXIT.findings : EXIT.ok;
  } catch (error) {
    io.err(`data-engineer review: ${errorMessage(error)}\n`);
    return EXIT.usage;
  }
}
