import type { AgentOutcome } from "../agent/agent-review.js";
import { mergeAgentFindings } from "../agent/merge-findings.js";
import type { RepoConfig } from "../config/repo-config.js";
import { detectMigrations } from "../migrations/detect.js";
import type { SourceFile } from "../migrations/model.js";
import type { ChangedFile, RelevantFile } from "../migrations/relevant-files.js";
import { annotationBatches, checkVerdict, type CheckAnnotation } from "../report/check-verdict.js";
import type { CheckResult, FileListing } from "../report/check-output.js";
import { selectInlineComments, type InlineComment, type InlineSelection } from "../report/inline-comments.js";
import { agentLine, renderReviewBody, type AgentView } from "../report/review-body.js";
import { CHECK_SUMMARY_LIMIT } from "../report/check-output.js";
import { describeReplay } from "../replay/describe.js";
import type { ReplayOutcome } from "../replay/replay-migrations.js";
import { analyzeMigrations, type AnalysisResult } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";
import { commentableLines, type DiffAnchors } from "./diff-anchors.js";
import { AGENT_FINGERPRINT_PREFIX, REPLAY_FINGERPRINT_PREFIX, fingerprint, statementTextFor } from "./fingerprint.js";
import { DELETED_REASON } from "./gather.js";

/**
 * The review of a pull request's migrations from plain data: the files read at the head commit,
 * the changed files with their patches, the configuration and what was posted before. The app
 * posts what this builds; `data-engineer demo` prints it. Call `loadSqlParser()` once before.
 */

export interface ReviewInput {
  /** Files read at the head commit: the changed migrations and their counterparts. */
  files: readonly SourceFile[];
  /** The changed migration and SQL files, with GitHub's patches. */
  relevant: readonly RelevantFile[];
  config: RepoConfig;
  /** Fingerprints of findings posted by earlier reviews. */
  posted: ReadonlySet<string>;
  notReviewed: ReadonlyArray<{ path: string; reason: string }>;
  listing: FileListing;
  headSha: string;
  /** Every file the pull request changes, with patches: agent findings may sit on any of them. */
  changed?: readonly ChangedFile[];
  /** The data-engineer agent's run, when it ran. */
  agent?: AgentOutcome;
  /** The replay in a real Postgres, when the repository asks for it (`replay.enabled`). */
  replay?: ReplayOutcome;
}

export interface BuiltReview {
  analysis: AnalysisResult;
  /** Findings on the changed files: the analyser's, then the agent's. */
  findings: Finding[];
  selection: InlineSelection;
  /** Findings posted before that are gone now. */
  resolved: number;
  check: CheckResult;
  annotations: CheckAnnotation[][];
  /** Whether a review is worth posting: something new, something fixed, or the first findings. */
  worthPosting: boolean;
  event: "COMMENT" | "REQUEST_CHANGES";
  body: string;
  comments: InlineComment[];
  /** The body to post instead when GitHub rejects the inline comments: they are listed in it. */
  bodyWithComments: () => string;
  migrations: number;
}

export function buildReview(input: ReviewInput): BuiltReview {
  const { config } = input;
  const changed = new Set(input.relevant.filter((f) => f.status !== "removed").map((f) => f.path));
  const migrations = detectMigrations(input.files, config.framework ? { framework: config.framework } : {}).filter((m) =>
    m.files.some((path) => changed.has(path)),
  );
  const analysis = analyzeMigrations(input.files, migrations, { config });
  const ownFindings = [...analysis.findings, ...(input.replay?.findings ?? [])].filter((f) => changed.has(f.path));
  const merged = mergeAgentFindings(ownFindings, input.agent?.run.report);
  const findings = merged.findings;

  const anchors = new Map<string, DiffAnchors>([...(input.changed ?? []), ...input.relevant].map((f) => [f.path, commentableLines(f.patch)]));
  const statementText = (finding: Finding) => statementTextFor(analysis, finding);
  const selection = selectInlineComments(findings, anchors, { max: config.maxInlineComments, alreadyPosted: input.posted, statementText });
  const current = new Set(findings.map((f) => fingerprint(f, statementText(f))));
  // An agent finding the agent does not repeat is not a fix: only the analyser's count.
  // Nor is a replay finding when the replay did not run to the end this time.
  const replayed = input.replay?.status === "replayed";
  const resolved = [...input.posted].filter(
    (fp) => !fp.startsWith(AGENT_FINGERPRINT_PREFIX) && (replayed || !fp.startsWith(REPLAY_FINGERPRINT_PREFIX)) && !current.has(fp),
  ).length;

  const partial = input.notReviewed.some((n) => n.reason !== DELETED_REASON) || input.listing.changed > input.listing.listed;
  // The check's conclusion is the analyser's: a required check must not flip with the model's mood.
  const verdict = checkVerdict(ownFindings, {
    failOn: config.failOn,
    advisory: config.failOn === "never",
    partial,
    migrations: migrations.length,
    notReviewed: input.notReviewed,
  });
  const bodyInput = {
    analysis,
    findings: selection,
    reviewedFiles: input.files.map((f) => f.path).filter((p) => changed.has(p)),
    notReviewed: input.notReviewed,
    resolved,
    headSha: input.headSha,
    ...(input.agent ? { agent: agentView(input.agent, merged.merged) } : {}),
    ...(input.replay ? { replay: describeReplay(input.replay) } : {}),
  };
  const hasErrors = ownFindings.some((f) => f.severity === "error" && !f.acknowledged);
  const agentFindings = findings.length - ownFindings.length;
  return {
    analysis,
    findings,
    selection,
    resolved,
    check: {
      conclusion: verdict.conclusion,
      output: { title: verdict.title, summary: withAgentSummary(withReplaySummary(verdict.summary, bodyInput.replay), bodyInput.agent, agentFindings) },
    },
    annotations: annotationBatches(ownFindings, (path) => (anchors.get(path)?.lines.size ?? 0) > 0),
    worthPosting: selection.inline.length > 0 || resolved > 0 || (input.posted.size === 0 && findings.length > 0),
    event: config.reviewEvent === "REQUEST_CHANGES" && hasErrors ? "REQUEST_CHANGES" : "COMMENT",
    body: renderReviewBody(bodyInput),
    comments: selection.inline,
    bodyWithComments: () =>
      renderReviewBody({
        ...bodyInput,
        findings: { ...selection, inline: [], outsideDiff: [...selection.inline.map((c) => c.finding), ...selection.outsideDiff] },
      }),
    migrations: migrations.length,
  };
}

function agentView(outcome: AgentOutcome, merged: number): AgentView {
  const { run } = outcome;
  return {
    ...(run.report ? { report: run.report } : {}),
    reason: run.reason,
    ...(run.detail ? { detail: run.detail } : {}),
    model: outcome.limits.model,
    turns: run.turns,
    tokensIn: run.usage.input,
    tokensOut: run.usage.output,
    unavailableTools: outcome.unavailableTools,
    refusedTools: run.refusedTools,
    merged,
  };
}

/** The check summary with a line on the agent's run and its cost, kept within GitHub's limit. */
function withReplaySummary(summary: string, replay: string | undefined): string {
  if (!replay) return summary;
  const room = CHECK_SUMMARY_LIMIT - replay.length - 2;
  return `${summary.length <= room ? summary : `${summary.slice(0, Math.max(0, room - 1))}…`}\n\n${replay}`;
}

function withAgentSummary(summary: string, agent: AgentView | undefined, agentFindings: number): string {
  if (!agent) return summary;
  const findings = agent.report ? ` ${agentFindings} agent finding${agentFindings === 1 ? "" : "s"} (advisory: the conclusion above is the analyser's).` : "";
  const line = `**Agent:** ${agentLine(agent)}${findings}`;
  const room = CHECK_SUMMARY_LIMIT - line.length - 2;
  return `${summary.length <= room ? summary : `${summary.slice(0, Math.max(0, room - 1))}…`}\n\n${line}`;
}
