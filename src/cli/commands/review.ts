import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import type { AgentRuntime } from "../../agent/agent-review.js";
import { modelSettingsFromEnv } from "../../agent/model/model-settings.js";
import { loadConfigFile } from "../../config/load-config-file.js";
import { DEFAULT_REPO_CONFIG, parseRepoConfigText, REPO_CONFIG_FILE, type RepoConfig } from "../../config/repo-config.js";
import { UserInputError, errorMessage } from "../../errors.js";
import { headAtCommit } from "../../review/git-head.js";
import { LocalRepo } from "../../git/local-repo.js";
import { createRelevantFileMatcher, selectRelevantFiles } from "../../migrations/relevant-files.js";
import { CHECK_NAME } from "../../report/check-output.js";
import type { FailOn } from "../../report/check-verdict.js";
import type { BuiltReview } from "../../review/compose.js";
import { analysisCacheIn } from "../../review/analysis-cache.js";
import { useAnalysisCache } from "../../review/analyse.js";
import { reviewHeadCommit } from "../../review/pipeline.js";
import type { ReplayRunner } from "../../replay/verify.js";
import type { Finding } from "../../rules/types.js";
import { EXIT, type CliIo } from "../io.js";
import { optionsHelpText, parseArgsOptions } from "../options.js";
import { DEFAULT_BASES, REVIEW_OPTIONS } from "./review-options.js";
import { packageVersion } from "../package-version.js";
import { cacheDirOf, toolVersion } from "../cache-location.js";

export { REVIEW_OPTIONS };

export const REVIEW_USAGE = `Usage: data-engineer review [options]
       data-engineer review --github [options]

Reviews what HEAD (or --head) changes since it left --base (default: origin/HEAD, origin/main,
main or master), exactly as the app would on a pull request, and prints the review and the check
run's verdict. The configuration is read from --base, like the app reads the default branch, or
from --config FILE; --fail-on overrides its failOn. With replay.enabled in the configuration, the
migrations are replayed in an embedded Postgres, as the app does. With GEMINI_API_KEY (or Vertex AI)
set, the data-engineer agent reads the tree at --head and writes the Handoff Report; --no-agent
leaves it out.

--github: in a GitHub Actions job on a pull_request event, reviews that pull request and publishes
what the app would: the data-engineer check run (a commit status where the token may not create
check runs), one review with inline comments; with a read-only token (a fork's pull request) it
publishes nothing and prints the review instead. It reads the pull request from GITHUB_EVENT_PATH,
GITHUB_REPOSITORY, GITHUB_TOKEN and GITHUB_API_URL, the files from the checkout at --repo (which
must hold the pull request's head commit), and the configuration from the default branch unless
--config is given. It appends findings= and conclusion= to GITHUB_OUTPUT; --sarif FILE writes the
findings as SARIF for code scanning.

Exit 0 when the check passes, 1 when it fails, 2 on usage errors or an incomplete environment.

${optionsHelpText(REVIEW_OPTIONS)}`;

const FORMATS = ["markdown", "json", "sarif"] as const;
const FAIL_ON: readonly FailOn[] = ["error", "warning", "never"];

type ReviewValues = ReturnType<typeof parseReviewArgs>["values"];

/** Parses the command line of `data-engineer review`; throws on an unknown option or a missing value. */
export function parseReviewArgs(argv: readonly string[]) {
  return parseArgs({ args: [...argv], allowPositionals: false, strict: true, options: parseArgsOptions(REVIEW_OPTIONS) });
}

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
  const out = [
    `Check run "${CHECK_NAME}": ${review.check.conclusion} — ${review.check.output.title}`,
    "",
    `Review (${review.event}), ${review.comments.length} inline comments:`,
    "",
  ];
  for (const c of review.comments) out.push(`--- ${c.path}:${c.startLine !== undefined ? `${c.startLine}-` : ""}${c.line}`, c.body, "");
  out.push("--- review body", review.body, "");
  return out.join("\n");
}

/** The findings as SARIF; the review's paths are repository-relative already. */
async function sarifText(findings: readonly Finding[]): Promise<string> {
  const [{ toSarif }, { RULES }] = await Promise.all([import("../../report/sarif.js"), import("../../rules/index.js")]);
  return `${JSON.stringify(toSarif(findings, { rules: RULES, version: packageVersion() }), null, 2)}\n`;
}

/**
 * The agent's runtime, imported only when the environment configures a model (or configures one
 * wrongly, which it reports): the model client and its SDK are most of a review's start otherwise.
 */
async function agentFromEnv(env: NodeJS.ProcessEnv, log: pino.Logger): Promise<AgentRuntime | undefined> {
  const { settings, problems } = modelSettingsFromEnv(env);
  if (!settings && problems.length === 0) return undefined;
  return (await import("../../agent/runtime.js")).agentRuntimeFromEnv(env, log);
}

/** The replay, imported only for a repository whose configuration enables it (verify() reads nothing else of it). */
async function replayRunnerFor(config: RepoConfig | undefined, env: NodeJS.ProcessEnv, log: pino.Logger): Promise<ReplayRunner | undefined> {
  if (config && !config.replay.enabled) return undefined;
  return (await import("../../replay/runner.js")).createReplayRunner({ env, log });
}

/**
 * The review's result cache (src/review/analysis-cache.ts), beside lint's: an unchanged set of
 * migrations is not parsed again. Not for --no-cache, nor where the environment names no cache folder.
 */
function useReviewCache(values: ReviewValues, env: NodeJS.ProcessEnv): void {
  const dir = values["no-cache"] ? undefined : cacheDirOf(env);
  useAnalysisCache(dir ? analysisCacheIn(dir, toolVersion()) : undefined);
}

/** `data-engineer review`: the app's review of a local branch, or (--github) of a CI job's pull request. */
/**
 * What a local review did besides analysing, for the run cache (src/cli/review-run-cache.ts): a
 * review that replayed or asked the agent is not a function of its commits alone, and is not stored.
 */
export interface ReviewRunFacts {
  replayedOrAgent: boolean;
}

export async function review(argv: readonly string[], io: CliIo, facts?: ReviewRunFacts): Promise<number> {
  let values: ReviewValues;
  try {
    ({ values } = parseReviewArgs(argv));
  } catch (error) {
    io.err(`${errorMessage(error)}\n\n${REVIEW_USAGE}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.out(REVIEW_USAGE);
    return EXIT.ok;
  }
  const usage = (message: string) => {
    io.err(`data-engineer review: ${message}\n`);
    return EXIT.usage;
  };
  const failOn = values["fail-on"];
  if (failOn !== undefined && !FAIL_ON.includes(failOn as FailOn)) return usage(`--fail-on must be one of ${FAIL_ON.join(", ")}, not "${failOn}"`);
  if (values.github) {
    const local = (["base", "head", "format"] as const).filter((name) => values[name] !== undefined);
    if (local.length > 0)
      return usage(
        `${local.map((name) => `--${name}`).join(", ")} cannot be used with --github: the pull request's event says what to review (use --sarif FILE for SARIF)`,
      );
  } else if (values.sarif !== undefined) {
    return usage("--sarif FILE goes with --github; for a local review, use --format sarif");
  }
  const format = values.format ?? "markdown";
  if (!FORMATS.includes(format as (typeof FORMATS)[number])) return usage(`--format must be one of ${FORMATS.join(", ")}, not "${format}"`);

  let config: RepoConfig | undefined;
  if (values.config !== undefined) {
    try {
      config = await loadConfigFile(resolve(io.cwd, values.config));
    } catch (error) {
      return usage(errorMessage(error));
    }
  }
  const options = { config, failOn: failOn as FailOn | undefined };
  useReviewCache(values, io.env ?? {});
  return values.github ? reviewOnGitHub(values, options, io) : reviewLocally(values, format as (typeof FORMATS)[number], options, io, facts);
}

interface ConfigChoice {
  /** From --config; else the repository's own. */
  config: RepoConfig | undefined;
  failOn: FailOn | undefined;
}

async function reviewLocally(values: ReviewValues, format: (typeof FORMATS)[number], choice: ConfigChoice, io: CliIo, facts?: ReviewRunFacts): Promise<number> {
  const head = values.head ?? "HEAD";
  const repo = new LocalRepo(resolve(io.cwd, values.repo));
  try {
    const base = values.base ?? (await repo.firstExisting(DEFAULT_BASES));
    if (!base || !(await repo.resolve(base))) throw new Error(`no base to compare with${base ? `: ${base} is not a commit` : ""}; pass --base REF`);
    const headSha = await repo.resolve(head);
    if (!headSha) throw new Error(`--head ${head} is not a commit`);
    let config = choice.config;
    if (!config) {
      const configText = await repo.readFile(base, REPO_CONFIG_FILE);
      config = configText === undefined ? DEFAULT_REPO_CONFIG : parseRepoConfigText(configText, `${base}:${REPO_CONFIG_FILE}`);
    }
    if (choice.failOn) config = { ...config, failOn: choice.failOn };
    const changed = await repo.changedFiles(base, head);
    const relevant = selectRelevantFiles(changed, createRelevantFileMatcher(config.paths.include, config.paths.exclude));
    const log = pino({ level: "warn" }, pino.destination(2));
    const agent = values["no-agent"] || relevant.length === 0 || !config.agent.enabled ? undefined : await agentFromEnv(io.env ?? {}, log);
    const replay = relevant.length === 0 ? undefined : await replayRunnerFor(config, io.env ?? {}, log);
    const {
      review: built,
      replay: replayed,
      agent: consulted,
    } = await reviewHeadCommit({
      head: headAtCommit(repo, headSha),
      headSha,
      relevant,
      changed,
      listing: { listed: changed.length, changed: changed.length },
      config,
      posted: new Set<string>(),
      pr: { number: 0, title: `Local review of ${head}`, body: "", author: "local", baseRef: base, headSha },
      ...(agent ? { agent } : {}),
      ...(replay ? { replay } : {}),
      log,
    });
    if (facts) facts.replayedOrAgent = replayed !== undefined || consulted !== undefined;
    if (format === "sarif") io.out(await sarifText(built.findings));
    else if (relevant.length === 0) io.out(`Check run "${CHECK_NAME}": success — No migration or SQL changes\n`);
    else io.out(format === "json" ? `${JSON.stringify(reviewJson(built), null, 2)}\n` : reviewMarkdown(built));
    return built.check.conclusion === "failure" ? EXIT.findings : EXIT.ok;
  } catch (error) {
    io.err(`data-engineer review: ${errorMessage(error)}\n`);
    return EXIT.usage;
  }
}

/** `data-engineer review --github`: publishes the review of the CI job's pull request. */
async function reviewOnGitHub(values: ReviewValues, choice: ConfigChoice, io: CliIo): Promise<number> {
  const env = io.env ?? {};
  const fail = (error: unknown, code: number) => {
    io.err(`data-engineer review --github: ${errorMessage(error)}\n`);
    return code;
  };
  const [{ runCiReview }, { readCiEnvironment }, { appendStepOutputs, appendStepSummary }] = await Promise.all([
    import("../../ci/ci-review.js"),
    import("../../ci/github-environment.js"),
    import("../../ci/step-outputs.js"),
  ]);
  let pr;
  try {
    pr = readCiEnvironment(env);
  } catch (error) {
    return fail(error, EXIT.usage);
  }
  const log = pino({ level: env.RUNNER_DEBUG === "1" ? "debug" : "warn" }, pino.destination(2));
  const agent = values["no-agent"] ? undefined : await agentFromEnv(env, log);
  const replay = await replayRunnerFor(choice.config, env, log);
  let outcome;
  try {
    outcome = await runCiReview({
      pr,
      repoDir: resolve(io.cwd, values.repo),
      ...(choice.config ? { config: choice.config } : {}),
      ...(choice.failOn ? { failOn: choice.failOn } : {}),
      ...(agent ? { agent } : {}),
      ...(replay ? { replay } : {}),
      userAgent: `data-engineer/${packageVersion()} (review --github)`,
      log,
    });
  } catch (error) {
    // The checkout or the token is wrong (nothing was published), or GitHub failed before the check existed.
    return fail(error, error instanceof UserInputError ? EXIT.usage : EXIT.findings);
  }
  const { result, review: built, reportedAs } = outcome;
  const findings = built?.findings ?? [];
  if (reportedAs === "nothing") {
    // A workflow command: the warning shows on the run's page, not only in this log.
    io.out(
      "::warning title=data-engineer::GitHub refused the check run and the commit status (HTTP 403): the token is read-only, as for a pull request from a fork. " +
        "Nothing was posted; the review is in this job's log.\n",
    );
  }
  const where = { "check run": "Check run", "commit status": "Commit status", nothing: "Unpublished check" }[reportedAs];
  io.out(`${where} "${CHECK_NAME}" on #${pr.number} (${pr.headSha.slice(0, 7)}): ${result.conclusion} — ${result.output.title}\n`);
  if (reportedAs === "commit status")
    io.out("GitHub refused to create a check run with this token (it needs `checks: write`); the verdict is a commit status.\n");
  io.out(`\n${result.output.summary}\n`);
  if (reportedAs === "nothing" && built) io.out(`\n${reviewMarkdown(built)}`);
  try {
    if (env.GITHUB_OUTPUT) await appendStepOutputs(env.GITHUB_OUTPUT, { findings: findings.length, conclusion: result.conclusion });
    if (env.GITHUB_STEP_SUMMARY) await appendStepSummary(env.GITHUB_STEP_SUMMARY, `### ${CHECK_NAME}: ${result.output.title}\n\n${result.output.summary}`);
    if (values.sarif !== undefined) await writeFile(resolve(io.cwd, values.sarif), await sarifText(findings), "utf8");
  } catch (error) {
    return fail(error, EXIT.usage);
  }
  return result.conclusion === "failure" ? EXIT.findings : EXIT.ok;
}
