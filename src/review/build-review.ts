import type { RepoConfig } from "../config/repo-config.js";
import { detectMigrations } from "../migrations/detect.js";
import type { SourceFile } from "../migrations/model.js";
import type { RelevantFile } from "../migrations/relevant-files.js";
import { annotationBatches, checkVerdict, type CheckAnnotation } from "../report/check-verdict.js";
import type { CheckResult, FileListing } from "../report/check-output.js";
import { selectInlineComments, type InlineComment, type InlineSelection } from "../report/inline-comments.js";
import { renderReviewBody } from "../report/review-body.js";
import { analyzeMigrations, type AnalysisResult } from "../rules/engine.js";
import type { Finding } from "../rules/types.js";
import { commentableLines, type DiffAnchors } from "./diff-anchors.js";
import { fingerprint, statementTextFor } from "./fingerprint.js";
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
}

export interface BuiltReview {
  analysis: AnalysisResult;
  /** Findings on the changed files. */
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
  const findings = analysis.findings.filter((f) => changed.has(f.path));

  const anchors = new Map<string, DiffAnchors>(input.relevant.map((f) => [f.path, commentableLines(f.patch)]));
  const statementText = (finding: Finding) => statementTextFor(analysis, finding);
  const selection = selectInlineComments(findings, anchors, { max: config.maxInlineComments, alreadyPosted: input.posted, statementText });
  const current = new Set(findings.map((f) => fingerprint(f, statementText(f))));
  const resolved = [...input.posted].filter((fp) => !current.has(fp)).length;

  const partial = input.notReviewed.some((n) => n.reason !== DELETED_REASON) || input.listing.changed > input.listing.listed;
  const verdict = checkVerdict(findings, {
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
  };
  const hasErrors = findings.some((f) => f.severity === "error" && !f.acknowledged);
  return {
    analysis,
    findings,
    selection,
    resolved,
    check: { conclusion: verdict.conclusion, output: { title: verdict.title, summary: verdict.summary } },
    annotations: annotationBatches(findings, (path) => (anchors.get(path)?.lines.size ?? 0) > 0),
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
