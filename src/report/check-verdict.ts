import type { Finding, Severity } from "../rules/types.js";
import { CHECK_SUMMARY_LIMIT, CHECK_TITLE_LIMIT } from "./check-output.js";
import { SEVERITY_LABEL, compareFindings, plainText } from "./inline-comments.js";
import { inlineCode, joinWithinBudget, plural } from "./markdown.js";

/**
 * The check run's verdict on the analysis: conclusion, title and summary, and the annotations
 * (GitHub takes at most 50 per request). Pure: findings in, check-run fields out.
 */

export type FailOn = "error" | "warning" | "never";

export interface VerdictOptions {
  /** The lowest severity that fails the check. */
  failOn: FailOn;
  /** Report only: the check is never `failure`. */
  advisory: boolean;
  /** Not everything was reviewed (files skipped, unreadable, not listed): never `success`. */
  partial: boolean;
  /** How many migrations were reviewed. */
  migrations: number;
  /**
   * Files that were not reviewed, and why; listed in the summary. A `refused` one (hostile to the
   * parser) fails the check unless it is advisory: it could hide any statement behind it.
   */
  notReviewed?: ReadonlyArray<{ path: string; reason: string; refused?: boolean }>;
}

export interface CheckVerdict {
  conclusion: "success" | "neutral" | "failure";
  title: string;
  summary: string;
}

function counts(findings: readonly Finding[]): Record<Severity, number> {
  const out: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  for (const f of findings) out[f.severity]++;
  return out;
}

/** Acknowledged findings (e.g. an irreversible migration with a stated reason) never fail the check. */
function fails(findings: readonly Finding[], failOn: FailOn): boolean {
  if (failOn === "never") return false;
  return findings.some((f) => !f.acknowledged && (f.severity === "error" || (failOn === "warning" && f.severity === "warning")));
}

function limit(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function checkVerdict(findings: readonly Finding[], options: VerdictOptions): CheckVerdict {
  const n = counts(findings);
  const where = plural(options.migrations, "migration");
  const refusedFiles = options.notReviewed?.filter((f) => f.refused === true).length ?? 0;
  const parts = [
    refusedFiles > 0 ? plural(refusedFiles, "file refused as hostile", "files refused as hostile") : "",
    n.error > 0 ? plural(n.error, "error") : "",
    n.warning > 0 ? plural(n.warning, "warning") : "",
    n.note > 0 ? plural(n.note, "policy finding") : "",
  ].filter((p) => p !== "");
  const title = limit(
    `${parts.length > 0 ? `${parts.join(", ")} in ${where}` : `No problems in ${where}`}${options.partial ? " (partial review)" : ""}`,
    CHECK_TITLE_LIMIT,
  );

  // Not `neutral`: GitHub counts a neutral conclusion as passing a required check, and a file
  // that could not be parsed on purpose must not merge unreviewed.
  const failing = refusedFiles > 0 || fails(findings, options.failOn);
  let conclusion: CheckVerdict["conclusion"] = failing ? "failure" : "success";
  if (conclusion === "failure" && options.advisory) conclusion = "neutral";
  if (conclusion === "success" && options.partial) conclusion = "neutral";

  const head: string[] = [];
  if (options.partial) {
    head.push(
      "> [!WARNING]\n> Only part of this pull request was reviewed: the review lists the files it did not review. A partial review never passes as a clean success.",
    );
  }
  if (options.notReviewed && options.notReviewed.length > 0) {
    const skipped = options.notReviewed.map((n) => `- ${inlineCode(n.path)}: ${plainText(n.reason)}`);
    head.push(`**Not reviewed:**\n${joinWithinBudget(skipped, 10_000, (omitted) => `- … and ${plural(omitted, "more file")}`)}`);
  }
  if (failing && options.advisory) head.push("Advisory mode: these findings do not fail the check.");
  const rule =
    options.failOn === "never" ? "Findings never fail this check." : `The check fails on ${options.failOn === "error" ? "errors" : "errors and warnings"}.`;
  head.push(`| Errors | Warnings | Policy |\n| ---: | ---: | ---: |\n| ${n.error} | ${n.warning} | ${n.note} |\n\n${rule}`);
  const top = head.join("\n\n");
  const lines = [...findings]
    .sort(compareFindings)
    .map((f) => `- **${SEVERITY_LABEL[f.severity]}** ${inlineCode(f.rule)} at ${inlineCode(`${f.path}:${f.line}`)}: ${plainText(f.message)}`);
  const list = joinWithinBudget(lines, CHECK_SUMMARY_LIMIT - top.length - 2, (omitted) => `- … and ${plural(omitted, "more finding")} (see the annotations)`);
  const summary = list === "" ? top : `${top}\n\n${list}`;
  return { conclusion, title, summary: limit(summary, CHECK_SUMMARY_LIMIT) };
}

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "failure" | "warning" | "notice";
  title: string;
  message: string;
  raw_details?: string;
}

export const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub: annotation message and raw_details ≤ 64 KB (bytes); title ≤ 255 characters. */
const ANNOTATION_TEXT_BYTES = 64 * 1024;

const LEVEL: Record<Severity, CheckAnnotation["annotation_level"]> = { error: "failure", warning: "warning", note: "notice" };

const encoder = new TextEncoder();

function limitBytes(text: string, maxBytes: number): string {
  if (encoder.encode(text).length <= maxBytes) return text;
  let cut = Math.min(text.length, maxBytes);
  while (cut > 0 && encoder.encode(text.slice(0, cut)).length + 3 > maxBytes) cut = Math.floor(cut * 0.9);
  return `${text.slice(0, cut)}…`;
}

/**
 * The findings as check annotations, in batches of at most 50 (one create/update request each).
 * With `inDiff`, findings on files the pull request does not change are left out (GitHub shows
 * annotations only on the files of the diff; those findings are in the review body).
 */
export function annotationBatches(findings: readonly Finding[], inDiff?: (path: string) => boolean): CheckAnnotation[][] {
  const annotations = [...findings]
    .filter((f) => inDiff?.(f.path) ?? true)
    .sort(compareFindings)
    .map((f): CheckAnnotation => {
      const start = Math.max(1, Math.min(f.line, f.endLine));
      const end = Math.max(start, f.line, f.endLine);
      return {
        path: f.path,
        start_line: start,
        end_line: end,
        annotation_level: LEVEL[f.severity],
        title: limit(`${f.rule}: ${f.message}`.replace(/\s+/g, " "), CHECK_TITLE_LIMIT),
        message: limitBytes(f.help ? `${f.message}\n\n${f.help}` : f.message, ANNOTATION_TEXT_BYTES),
        ...(f.fix ? { raw_details: limitBytes(`${f.fix.title} (lines ${f.fix.line}-${f.fix.endLine}):\n${f.fix.replacement}`, ANNOTATION_TEXT_BYTES) } : {}),
      };
    });
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  return batches;
}
