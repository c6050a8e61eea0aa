import type { AgentOutcome } from "../agent/agent-review.js";
import { mergeAgentFindings } from "../agent/merge-findings.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { SourceFile } from "../migrations/model.js";
import type { ChangedFile, RelevantFile } from "../migrations/relevant-files.js";
import { annotationBatches, checkVerdict, type CheckAnnotation } from "../report/check-verdict.js";
import type { CheckResult, FileListing } from "../report/check-output.js";
import { selectInlineComments, type InlineComment, type InlineSelection } from "../report/inline-comments.js";
import { agentLine, renderReviewBody, type AgentView } from "../report/review-body.js";
import { CHECK_SUMMARY_LIMIT } from "../report/check-output.js";
import { describeReplay } from "../replay/describe.js";
import { withoutContradictedFindings } from "./replay-arbiter.js";
import type { ReplayOutcome } from "../replay/replay-migrations.js";
import type { AnalysisResult } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";
import { changedPaths } from "./detect.js";
import { commentableLines, type DiffAnchors } from "../report/diff-anchors.js";
import { AGENT_FINGERPRINT_PREFIX, REPLAY_FINGERPRINT_PREFIX, fingerprint } from "../report/fingerprint.js";
import { statementIndex } from "./statement-index.js";
import { DELETED_REASON } from "./gather.js";

/**
 * Step 6 of the review, pure: the review to post and the check run's verdict, from what the
 * earlier steps found (the one analysis, the replay, the agent's report) and what earlier
 * reviews posted. Publishing it is the caller's.
 */

export interface ComposeInput {
  /** What step 1 read at the head commit, and which changed files it could not review. */
  gathered: { files: readonly SourceFile[]; notReviewed: ReadonlyArray<{ path: string; reason: string; outOfScope?: boolean }> };
  /** Step 3's analysis of the pull request's migrations. */
  analysis: AnalysisResult;
  /** Step 4's replay in a real Postgres, when the repository asks for it (`replay.enabled`). */
  replay?: ReplayOutcome;
  /** Step 5's agent run, when it ran. */
  agent?: AgentOutcome;
  /** The changed migration and SQL files, with their patches. */
  relevant: readonly RelevantFile[];
  /** Every file the pull request changes, with patches: agent findings may sit on any of them. */
  changed?: readonly ChangedFile[];
  config: RepoConfig;
  /** Fingerprints of findings posted by earlier reviews. */
  posted: ReadonlySet<string>;
  listing: FileListing;
  headSha: string;
  /**
   * Policy findings (severity "note") as inline comments too; by default (false) they are listed
   * in one section of the review body. The `strict` preset sets it.
   */
  policyInline?: boolean;
}

export interface BuiltReview {
  analysis: AnalysisResult;
  /** Findings on the changed files: the analyser's, then the agent's. */
  findings: Finding[];
  selection: InlineSelection;
  /** Findings posted before that are gone now; undefined on a first review. */
  resolved: number | undefined;
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

/** The analyser's and the replay's findings on the files the pull request changes: what the check's verdict rests on. */
export function ownFindings(analysis: AnalysisResult, replay: ReplayOutcome | undefined, relevant: readonly RelevantFile[]): Finding[] {
  const changed = changedPaths(relevant);
  const analysed = withoutContradictedFindings(analysis.findings, analysis, replay);
  return [...analysed, ...(replay?.findings ?? [])].filter((f) => changed.has(f.path));
}

export function composeReview(input: ComposeInput): BuiltReview {
  const { config, analysis } = input;
  const changed = changedPaths(input.relevant);
  const own = ownFindings(analysis, input.replay, input.relevant);
  const merged = mergeAgentFindings(own, input.agent?.run.report);
  const findings = merged.findings;
  const { files, notReviewed } = input.gathered;
  const migrations = analysis.migrations.length;

  const anchors = new Map<string, DiffAnchors>([...(input.changed ?? []), ...input.relevant].map((f) => [f.path, commentableLines(f.patch)]));
  const statementOf = statementIndex(analysis);
  const statementText = (finding: Finding) => statementOf(finding)?.text;
  const tableRows = configuredRows(config);
  const selection = selectInlineComments(findings, anchors, {
    max: config.maxInlineComments,
    alreadyPosted: input.posted,
    statementText,
    statementOf,
    tableRows,
    policyInline: input.policyInline === true,
    ...(config.docsUrl ? { docsUrl: config.docsUrl } : {}),
  });
  const current = new Set(findings.map((f) => fingerprint(f, statementText(f))));
  // An agent finding the agent does not repeat is not a fix: only the analyser's count.
  // Nor is a replay finding when the replay did not run to the end this time.
  const replayed = input.replay?.status === "replayed";
  // The markers of earlier comments are the memory of earlier reviews: with none, this review is
  // the first that commented, and "fixed since the last review" has nothing to count.
  const earlier = input.posted.size > 0;
  const counted = [...input.posted].filter(
    (fp) => !fp.startsWith(AGENT_FINGERPRINT_PREFIX) && (replayed || !fp.startsWith(REPLAY_FINGERPRINT_PREFIX)) && !current.has(fp),
  ).length;
  const resolved = earlier ? counted : undefined;

  // A file of another SQL dialect is out of scope, not missed: listed, but the review is whole without it.
  const partial = notReviewed.some((n) => n.reason !== DELETED_REASON && n.outOfScope !== true) || input.listing.changed > input.listing.listed;
  // The check's conclusion is the analyser's: a required check must not flip with the model's mood.
  const verdict = checkVerdict(own, {
    failOn: config.failOn,
    advisory: config.failOn === "never",
    partial,
    migrations,
    notReviewed,
  });
  const bodyInput = {
    analysis,
    findings: selection,
    reviewedFiles: files.map((f) => f.path).filter((p) => changed.has(p)),
    notReviewed,
    ...(resolved !== undefined ? { resolved } : {}),
    headSha: input.headSha,
    ...(tableRows.size > 0 ? { tableRows } : {}),
    ...(input.agent ? { agent: agentView(input.agent, merged.merged) } : {}),
    ...(input.replay ? { replay: describeReplay(input.replay) } : {}),
  };
  const hasErrors = own.some((f) => f.severity === "error" && !f.acknowledged);
  const agentFindings = findings.length - own.length;
  return {
    analysis,
    findings,
    selection,
    resolved,
    check: {
      conclusion: verdict.conclusion,
      output: { title: verdict.title, summary: withAgentSummary(withReplaySummary(verdict.summary, bodyInput.replay), bodyInput.agent, agentFindings) },
    },
    annotations: annotationBatches(own, (path) => (anchors.get(path)?.lines.size ?? 0) > 0),
    worthPosting: selection.inline.length > 0 || (resolved ?? 0) > 0 || (!earlier && findings.length > 0),
    event: config.reviewEvent === "REQUEST_CHANGES" && hasErrors ? "REQUEST_CHANGES" : "COMMENT",
    body: renderReviewBody(bodyInput),
    comments: selection.inline,
    bodyWithComments: () =>
      renderReviewBody({
        ...bodyInput,
        findings: { ...selection, inline: [], outsideDiff: [...selection.inline.flatMap((c) => c.findings), ...selection.outsideDiff] },
      }),
    migrations,
  };
}

/** Row counts of the configured tables (`tables:`), by name: for the report's assumptions and lock durations. */
function configuredRows(config: RepoConfig): Map<string, number> {
  const rows = new Map<string, number>();
  for (const [table, setting] of Object.entries(config.tables)) if (setting.rows !== undefined) rows.set(table, setting.rows);
  return rows;
}

function agentView(outcome: AgentOutcome, merged: number): AgentView {
  const { run } = outcome;
  return {
    ...(run.report ? { report: run.report } : {}),
    ...(run.partial === true ? { partial: true } : {}),
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

/** The check summary with the replay's sentence, kept within GitHub's limit. */
function withReplaySummary(summary: string, replay: string | undefined): string {
  if (!replay) return summary;
  const room = CHECK_SUMMARY_LIMIT - replay.length - 2;
  return `${summary.length <= room ? summary : `${summary.slice(0, Math.max(0, room - 1))}…`}\n\n${replay}`;
}

/** The check summary with a line on the agent's run and its cost, kept within GitHub's limit. */
function withAgentSummary(summary: string, agent: AgentView | undefined, agentFindings: number): string {
  if (!agent) return summary;
  const findings = agent.report ? ` ${agentFindings} agent finding${agentFindings === 1 ? "" : "s"} (advisory: the conclusion above is the analyser's).` : "";
  const line = `**Agent:** ${agentLine(agent)}${findings}`;
  const room = CHECK_SUMMARY_LIMIT - line.length - 2;
  return `${summary.length <= room ? summary : `${summary.slice(0, Math.max(0, room - 1))}…`}\n\n${line}`;
}
