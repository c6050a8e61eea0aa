import type { AnalysisResult, MigrationAnalysis } from "../rules/engine.js";
import type { AnalyzedStatement, Finding, Severity } from "../rules/types.js";
import { typeText } from "../sql/column-types.js";
import type { NewColumn } from "../sql/effects.js";
import { LOCK_MODE_SQL } from "../sql/lock-modes.js";
import { SEVERITY_LABEL, compareFindings, plainText, type InlineSelection } from "./inline-comments.js";
import { inlineCode, joinWithinBudget, plural } from "./markdown.js";
import { redactSecrets } from "./redact.js";
import { bodyFingerprints, reviewMarkerRoom, withReviewMarker } from "./review-marker.js";
import { schemaChanges } from "./schema-changes.js";
import { blocksText, existingLocks, lockSummary, relationName } from "./statement-locks.js";

/**
 * The body of the pull-request review: a Handoff Report (Task Report, Downstream Context) built
 * only from the deterministic analysis, the findings that are not inline comments, and what each
 * statement locks. GitHub rejects bodies over 65,536 characters, so the body is kept ≤ 65,000 and
 * its lowest-priority parts (lock summaries, then policy findings) go first, with a line saying what was cut.
 */

export const REVIEW_BODY_LIMIT = 65_000;

export interface ReviewBodyInput {
  analysis: AnalysisResult;
  findings: InlineSelection;
  /** Migration and SQL files the analysis read. */
  reviewedFiles: readonly string[];
  /** Relevant files not reviewed, and why (too large, unreadable, not listed by GitHub, …); `outOfScope`: another SQL dialect, left out on purpose. */
  notReviewed: ReadonlyArray<{ path: string; reason: string; outOfScope?: boolean }>;
  /** Findings of the previous review that are gone now; undefined on a first review (nothing to compare with). */
  resolved?: number;
  headSha: string;
  /** The data-engineer agent's run, when the agent ran. */
  agent?: AgentView;
  /** What the replay in a real Postgres did, when it was asked for (one sentence). */
  replay?: string;
  /** Configured row counts by table name (`tables:` in the configuration): named in the assumptions, and lock durations estimated from them. */
  tableRows?: ReadonlyMap<string, number>;
}

/** The agent's Handoff Report fields (the model fills them; they are rendered here, as text). */
export interface AgentHandoff {
  part1: {
    status: "success" | "partial" | "failure";
    objectiveAchieved: string;
    decisionsMade: readonly string[];
    validation: "pass" | "fail" | "skipped";
    errors: readonly string[];
    scopeDeviations: readonly string[];
  };
  part2: {
    keyInterfacesIntroduced: readonly string[];
    patternsEstablished: readonly string[];
    integrationPoints: readonly string[];
    assumptions: readonly string[];
    warnings: readonly string[];
  };
}

export interface AgentView {
  /** Present when the agent finished with its report, or stopped with a partial one (`partial`). */
  report?: AgentHandoff;
  /** The report was assembled from what the agent had read when a limit stopped it: it did not finish. */
  partial?: boolean;
  /** Why the run ended: goal, max_turns, timeout, aborted, budget, error. */
  reason: string;
  detail?: string;
  model: string;
  turns: number;
  tokensIn: number;
  tokensOut: number;
  /** Tools the agent definition lists that this read-only review does not offer. */
  unavailableTools: readonly string[];
  /** Tools the model called and was refused. */
  refusedTools: readonly string[];
  /** Agent findings folded into the analyser's. */
  merged: number;
}

/** Model text as plain Markdown text: secrets redacted, no markup, mentions, images or HTML. */
function modelText(text: string): string {
  return plainText(redactSecrets(text));
}

const STATUS_RANK = { success: 0, partial: 1, failure: 2 } as const;

/** The agent's list items after ours, without repeating one of ours. */
function withAgentItems(ours: readonly string[], agent: readonly string[] | undefined): string[] {
  const items = [...ours];
  for (const item of agent ?? []) {
    const text = modelText(item);
    if (!items.includes(text)) items.push(text);
  }
  return items;
}

/** Inline code usable in a table cell: GFM splits cells at `|` even inside code spans. */
function cellCode(text: string): string {
  return inlineCode(text).replace(/\|/g, "\\|");
}

function shortSql(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function allFindings(selection: InlineSelection): Finding[] {
  return [
    ...selection.inline.flatMap((c) => c.findings),
    ...selection.outsideDiff,
    ...selection.overCap,
    ...selection.skippedAsPosted,
    ...selection.policy,
  ].sort(compareFindings);
}

function statementsOf(analysis: AnalysisResult, direction?: "up" | "down"): AnalyzedStatement[] {
  return analysis.migrations.flatMap((m) => m.sections.flatMap((s) => s.statements)).filter((s) => !direction || s.direction === direction);
}

// ---------------------------------------------------------------------------------------------
// What the up statements introduce (from the AST when simple, else from created relations)

function columnText(column: NewColumn): string {
  if (!column.name) return "";
  const type = typeText(column.column.typeName);
  return type ? `${column.name} ${type}` : column.name;
}

function introduced(statement: AnalyzedStatement): string[] {
  const { creates, adds } = statement.effects;
  const created = creates[0];
  if (statement.kind === "CreateStmt" && created?.name) {
    const columns = adds.columns.map(columnText).filter((c) => c !== "");
    const name = relationName({ relation: created.name, ...(created.schema ? { schema: created.schema } : {}) });
    return [`table ${inlineCode(name)}${columns.length > 0 ? ` (${inlineCode(columns.join(", "))})` : ""}`];
  }
  if (statement.kind === "IndexStmt" && created?.table) {
    const name = created.name ? `${inlineCode(created.name)} ` : "";
    return [`${created.unique ? "unique index" : "index"} ${name}on ${inlineCode(`${created.table}(${(created.columns ?? []).join(", ")})`)}`];
  }
  const table = adds.columns[0]?.table;
  if (statement.kind === "AlterTableStmt" && table && adds.columns.length > 0)
    return adds.columns.map((col) => `column ${inlineCode(`${table}.${columnText(col)}`)}`);
  return statement.locks.locks.filter((l) => l.created).map((l) => `relation ${inlineCode(relationName(l))}`);
}

// ---------------------------------------------------------------------------------------------
// Sections

function bulletList(items: readonly string[], budget: number, what: string): string {
  if (items.length === 0) return "none";
  return `\n${joinWithinBudget(
    items.map((i) => `  - ${i}`),
    budget,
    (n) => `  - … and ${plural(n, `more ${what}`)}`,
  )}`;
}

function listOrNone(items: readonly string[], budget: number, what: string): string {
  return items.length === 0 ? "none" : bulletList(items, budget, what);
}

function severityCounts(findings: readonly Finding[]): Record<Severity, number> {
  const out: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  for (const f of findings) out[f.severity]++;
  return out;
}

const ERROR_REASON = /unread|could not|couldn't|cannot|failed|error/i;

/** The review's outcome in plain words: status and validation say the same thing, in the same terms. */
interface Outcome {
  /** How far the review got: whole, partial (files missed, syntax errors, an agent that stopped), or nothing read. */
  coverage: "success" | "partial" | "failure";
  status: string;
  validation: string;
}

function outcomeOf(input: ReviewBodyInput, findings: readonly Finding[], counts: Record<Severity, number>): Outcome {
  const syntax = findings.filter((f) => f.rule === "syntax-error").length;
  // Files of another SQL dialect are out of scope: listed below, they do not make the review partial.
  const missed = input.notReviewed.filter((n) => n.outOfScope !== true).length;
  const ownCoverage = input.reviewedFiles.length === 0 && missed > 0 ? "failure" : missed > 0 || syntax > 0 ? "partial" : "success";
  const agent = input.agent?.report?.part1;
  // The agent may report a worse status than the analyser's, never a better one.
  const coverage = agent && STATUS_RANK[agent.status] > STATUS_RANK[ownCoverage] ? agent.status : ownCoverage;
  const errors = findings.filter((f) => f.severity === "error" && !f.acknowledged).length;
  const gaps = [
    missed > 0 ? `${plural(missed, "file")} not reviewed` : "",
    syntax > 0 ? plural(syntax, "syntax error") : "",
    coverage !== ownCoverage || input.agent?.partial === true ? "the data-engineer agent did not finish" : "",
  ].filter((g) => g !== "");
  const partly = coverage === "partial" && gaps.length > 0 ? `; partial review: ${gaps.join(", ")}` : coverage === "partial" ? "; partial review" : "";
  if (input.reviewedFiles.length === 0)
    return { coverage, status: "failed — no migration file could be reviewed", validation: "skipped: no migration file was read" };
  if (errors > 0)
    return {
      coverage,
      status: `changes requested — ${plural(errors, "error")} must be fixed before merge${partly}`,
      validation: `failed: ${plural(errors, "error")}`,
    };
  // An error the analyser found fails validation whatever the agent says; the agent can fail it too.
  if (agent?.validation === "fail")
    return {
      coverage,
      status: `changes requested — the data-engineer agent's validation failed${partly}`,
      validation: "failed: the data-engineer agent's validation failed (no analyser error)",
    };
  const warnings = counts.warning > 0 ? `; ${plural(counts.warning, "warning")} to consider` : "";
  if (coverage === "failure")
    return { coverage, status: `failed — the review did not complete${warnings}`, validation: "skipped: the review did not complete" };
  if (coverage === "partial")
    return {
      coverage,
      status: `partial — no error in what was reviewed${partly.replace("; partial review", "")}${warnings}`,
      validation: `passed for what was reviewed: no errors${warnings}`,
    };
  return { coverage, status: `passed — no errors${warnings}`, validation: `passed: no errors${warnings}` };
}

/** What the agent's run contributed, in words that say whether it finished. */
function agentDecisions(view: AgentView | undefined): string[] {
  if (!view) return [];
  const stopped = `${inlineCode(view.reason)}${view.detail ? `: ${plainText(view.detail)}` : ""}`;
  const added = view.merged > 0 ? ` and added to ${plural(view.merged, "analyser finding")}` : "";
  const run =
    view.report && view.partial !== true
      ? `The data-engineer agent (${inlineCode(view.model)}) read the repository at the head commit in ${plural(view.turns, "turn")}${added}.`
      : view.report
        ? `The data-engineer agent (${inlineCode(view.model)}) stopped after ${plural(view.turns, "turn")} before it finished its report (${stopped}); its partial report keeps what it had read and the valid findings it had submitted${added}.`
        : `The data-engineer agent did not finish (${stopped}); this report is the analyser's alone.`;
  return [
    run,
    ...(view.unavailableTools.length > 0
      ? [`Not available to the agent in this read-only review: ${view.unavailableTools.map(inlineCode).join(", ")} (listed in its definition).`]
      : []),
    ...(view.refusedTools.length > 0 ? [`The agent called ${view.refusedTools.map(inlineCode).join(", ")}, which were refused.`] : []),
  ];
}

function taskReport(input: ReviewBodyInput, findings: readonly Finding[]): string {
  const counts = severityCounts(findings);
  const statements = statementsOf(input.analysis);
  const syntax = findings.filter((f) => f.rule === "syntax-error");
  const unreadable = input.notReviewed.filter((n) => ERROR_REASON.test(n.reason));
  const missed = input.notReviewed.filter((n) => n.outOfScope !== true);
  const outcome = outcomeOf(input, findings, counts);
  const agent = input.agent?.report?.part1;
  const objective = agent
    ? modelText(agent.objectiveAchieved)
    : outcome.coverage === "success"
      ? `Review the ${plural(input.reviewedFiles.length, "migration file")} this pull request changes for deployment risks: fully met.`
      : outcome.coverage === "partial"
        ? `Review the migration files this pull request changes for deployment risks: partly met (${plural(missed.length, "file")} not reviewed, ${plural(syntax.length, "syntax error")}).`
        : "Review the migration files this pull request changes for deployment risks: not met, no file could be reviewed.";
  const s = input.findings;
  const inlineFindings = s.inline.reduce((n, c) => n + c.findings.length, 0);
  const decisions = [
    `${plural(s.inline.length, "inline comment")} posted, one per statement (${plural(inlineFindings, "finding")}); ${plural(s.outsideDiff.length, "finding")} outside the diff and ${plural(s.overCap.length, "finding")} over the inline cap are listed in this body.`,
    ...(s.policy.length > 0 ? [`${plural(s.policy.length, "policy finding")} listed in this body, not inline.`] : []),
    ...(s.skippedAsPosted.length > 0 ? [`${plural(s.skippedAsPosted.length, "finding")} already commented on in an earlier review: not repeated inline.`] : []),
    input.replay && input.replay.startsWith("Replay:") && !input.replay.startsWith("Replay: not run")
      ? "Lock modes, rewrites and scans come from the statement-level lock model, checked against the locks the replay read from Postgres."
      : "Lock modes, rewrites and scans come from the statement-level lock model, not from a live database.",
    ...(input.replay ? [plainText(input.replay)] : []),
    ...agentDecisions(input.agent),
  ];
  const decisionItems = withAgentItems(decisions, agent?.decisionsMade);
  const errors = withAgentItems(
    [
      ...syntax.map((f) => `syntax error at ${inlineCode(`${f.path}:${f.line}`)}: ${plainText(f.message)}`),
      ...unreadable.map((n) => `file not read: ${inlineCode(n.path)} (${plainText(n.reason)})`),
    ],
    agent?.errors,
  );
  const deviations = withAgentItems(
    input.notReviewed.map((n) => `not reviewed: ${inlineCode(n.path)}: ${plainText(n.reason)}`),
    agent?.scopeDeviations,
  );
  return [
    "### Part 1 — Task Report",
    `- **Status**: ${outcome.status}`,
    `- **Objective Achieved**: ${objective}`,
    `- **Files Created / Modified / Deleted**: a review changes no files; migrations reviewed:${bulletList(input.reviewedFiles.map(inlineCode), 6_000, "file")}`,
    `- **Schema Objects Created / Changed** (by the up migrations): ${listOrNone(schemaChanges(statements), 6_000, "object")}`,
    `- **Decisions Made**:${bulletList(decisionItems, 4_000, "decision")}`,
    `- **Validation**: ${outcome.validation}`,
    `- **Validation Output**: ${countsText(counts)} in ${plural(input.analysis.migrations.length, "migration")} (${plural(statements.length, "statement")} analysed)`,
    `- **Errors**: ${errors.length === 0 ? "none" : bulletList(errors, 4_000, "error")}`,
    `- **Scope Deviations**: ${deviations.length === 0 ? "none" : bulletList(deviations, 4_000, "file")}`,
  ].join("\n");
}

/** "2 errors, 1 warning, 3 policy findings". */
function countsText(counts: Record<Severity, number>): string {
  return `${plural(counts.error, "error")}, ${plural(counts.warning, "warning")}, ${plural(counts.note, "policy finding")}`;
}

/** The assumption on table sizes: which tables have configured rows, or that none has. */
function tableSizesAssumption(tableRows: ReadonlyMap<string, number> | undefined): string {
  if (!tableRows || tableRows.size === 0)
    return "table sizes are unknown unless configured in .github/data-engineer.yml: lock and rewrite durations are not estimated from data";
  const NAMED = 20;
  const sizes = [...tableRows].slice(0, NAMED).map(([table, rows]) => `${inlineCode(table)} ${rows.toLocaleString("en-US")} rows`);
  const more = tableRows.size > NAMED ? ` and ${tableRows.size - NAMED} more` : "";
  return `table sizes as configured in .github/data-engineer.yml: ${sizes.join(", ")}${more}; lock and rewrite durations on these tables are estimated from them, other tables' sizes are unknown`;
}

function lockWarning(statement: AnalyzedStatement, tableRows: ReadonlyMap<string, number> | undefined): string | undefined {
  const summary = lockSummary(statement, tableRows);
  return summary === undefined ? undefined : `${inlineCode(`${statement.path}:${statement.line}`)} ${inlineCode(shortSql(statement.text))}: ${summary}`;
}

function downstreamContext(input: ReviewBodyInput): string {
  const up = statementsOf(input.analysis, "up");
  const interfaces = [...new Set(up.flatMap(introduced))];
  const frameworks = [...new Set(input.analysis.migrations.map((m) => m.migration.framework))];
  const lockingUp = up.filter((s) => existingLocks(s).length > 0);
  const withTimeout = lockingUp.filter((s) => s.lockTimeoutSet).length;
  const patterns = [
    `framework: ${frameworks.map((f) => inlineCode(f)).join(", ") || "none detected"}`,
    ...(lockingUp.length > 0 ? [`${withTimeout} of ${plural(lockingUp.length, "statement")} locking existing tables run with a lock_timeout set`] : []),
  ];
  const touched = [
    ...new Set(
      up.flatMap((s) =>
        existingLocks(s)
          .filter((l) => !l.conditional && !l.reason)
          .map(relationName),
      ),
    ),
  ];
  const integration = touched.map(
    (t) => `existing table ${inlineCode(t)} is changed or locked: code and jobs using it run against the new schema after deploy`,
  );
  const notes = [...new Set(statementsOf(input.analysis).flatMap((s) => s.locks.notes ?? []))].map(plainText);
  const assumptions = [tableSizesAssumption(input.tableRows), "an unqualified name is taken to be in the public schema", ...notes];
  const warnings = up.map((s) => lockWarning(s, input.tableRows)).filter((w): w is string => w !== undefined);
  const agent = input.agent?.report?.part2;
  return [
    "### Part 2 — Downstream Context",
    `- **Key Interfaces Introduced**: ${listOrNone(withAgentItems(interfaces, agent?.keyInterfacesIntroduced), 5_000, "object")}`,
    `- **Patterns Established**: ${listOrNone(withAgentItems(patterns, agent?.patternsEstablished), 2_000, "pattern")}`,
    `- **Integration Points**: ${listOrNone(withAgentItems(integration, agent?.integrationPoints), 4_000, "item")}`,
    `- **Assumptions**: ${listOrNone(withAgentItems(assumptions, agent?.assumptions), 4_000, "assumption")}`,
    `- **Warnings**: ${listOrNone(withAgentItems(warnings, agent?.warnings), 6_000, "warning")}`,
  ].join("\n");
}

function findingRow(f: Finding): string {
  return `| ${SEVERITY_LABEL[f.severity]} | ${cellCode(f.rule)} | ${cellCode(`${f.path}:${f.line}`)} | ${plainText(f.message)} |`;
}

function policyItem(f: Finding): string {
  return `- ${inlineCode(f.rule)} at ${inlineCode(`${f.path}:${f.line}`)}: ${plainText(f.message)}`;
}

function outsideItem(f: Finding): string {
  return `- **${SEVERITY_LABEL[f.severity]}** ${inlineCode(f.rule)} at ${inlineCode(`${f.path}:${f.line}`)}: ${plainText(f.message)}${f.help ? ` ${plainText(f.help)}` : ""}`;
}

function lockRows(migration: MigrationAnalysis): string[] {
  const rows: string[] = [];
  for (const section of migration.sections) {
    for (const s of section.statements) {
      for (const lock of s.locks.locks) {
        const isNew = lock.created === true || s.createdRelations.has(lock.relation);
        rows.push(
          `| ${s.direction} | ${cellCode(shortSql(s.text, 50))} | ${LOCK_MODE_SQL[lock.mode]} | ${cellCode(relationName(lock))}${isNew ? " (new)" : ""} | ${blocksText(lock, isNew)} | ${s.locks.rewrites ? "yes" : "no"} |`,
        );
      }
    }
  }
  return rows;
}

/** One line on the agent's run, under the summary. */
export function agentLine(agent: AgentView): string {
  const usage = `${agent.tokensIn.toLocaleString("en-US")} tokens in, ${agent.tokensOut.toLocaleString("en-US")} out`;
  if (agent.report && agent.partial !== true) return `Agent: ${inlineCode(agent.model)}, ${plural(agent.turns, "turn")}, ${usage}.`;
  if (agent.report)
    return `The data-engineer agent stopped after ${plural(agent.turns, "turn")} before it finished (${inlineCode(agent.reason)}${agent.detail ? `: ${plainText(agent.detail)}` : ""}); its partial report is included (${usage}).`;
  return `The data-engineer agent did not finish (${inlineCode(agent.reason)}${agent.detail ? `: ${plainText(agent.detail)}` : ""}); this review is the analyser's alone (${usage}).`;
}

interface Part {
  heading: string;
  rows: string[];
  /** What the rows are, for the cut notice. */
  what: string;
}

/** The review body, ≤ 65,000 characters. */
export function renderReviewBody(input: ReviewBodyInput): string {
  const findings = allFindings(input.findings);
  const counts = severityCounts(findings);
  const s = input.findings;
  const summary =
    findings.length === 0
      ? `No problems found in ${plural(input.analysis.migrations.length, "migration")}.`
      : `${countsText(counts)} in ${plural(input.analysis.migrations.length, "migration")}.`;
  const head = [
    `## data-engineer Handoff Report\n\nReview of the head commit ${inlineCode(input.headSha.slice(0, 12))}.`,
    summary,
    [
      s.overCap.length > 0 ? `${plural(s.overCap.length, "more finding")} not shown inline (the inline comments are capped).` : "",
      s.skippedAsPosted.length > 0 ? `${plural(s.skippedAsPosted.length, "finding")} already commented on in an earlier review.` : "",
      // A first review has nothing to compare with: no "fixed" count at all.
      input.resolved !== undefined ? `Fixed since the last review: ${input.resolved.toLocaleString("en-US")}` : "",
      input.agent ? agentLine(input.agent) : "",
    ]
      .filter((l) => l !== "")
      .join("\n"),
  ]
    .filter((p) => p !== "")
    .join("\n\n");
  const fixed = [head, taskReport(input, findings), downstreamContext(input)];

  const tableHead = "| Severity | Rule | Where | What |\n| --- | --- | --- | --- |";
  const serious = findings.filter((f) => f.severity !== "note");
  const policy = findings.filter((f) => f.severity === "note");
  const parts: Part[] = [];
  if (serious.length > 0) parts.push({ heading: `### Findings\n\n${tableHead}`, rows: serious.map(findingRow), what: "findings" });
  const outsideSerious = [...s.outsideDiff].sort(compareFindings).filter((f) => f.severity !== "note");
  if (outsideSerious.length > 0) parts.push({ heading: "### Outside the diff", rows: outsideSerious.map(outsideItem), what: "findings outside the diff" });
  // Opinions, not risks: one compact list (rule, where, message), inline only when asked for (InlineOptions.policyInline).
  if (policy.length > 0) parts.push({ heading: "### Policy", rows: policy.map(policyItem), what: "policy findings" });
  for (const migration of input.analysis.migrations) {
    const rows = lockRows(migration);
    if (rows.length === 0) continue;
    const first = migration.migration.files[0] ?? migration.migration.folder;
    parts.push({
      heading: `### Locks: ${inlineCode(first)}\n\n| Dir | Statement | Lock | Table | Blocks | Rewrite |\n| --- | --- | --- | --- | --- | --- |`,
      rows,
      what: `lock rows of ${inlineCode(first)}`,
    });
  }

  const NOTICE_RESERVE = 1_500;
  const marked = bodyFingerprints(input.analysis, s);
  let used = fixed.reduce((n, p) => n + p.length + 2, 0) + NOTICE_RESERVE + reviewMarkerRoom(marked);
  const rendered: string[] = [];
  const cut: string[] = [];
  let droppedParts = 0;
  for (const part of parts) {
    const remaining = REVIEW_BODY_LIMIT - used - part.heading.length - 4;
    const whole = part.rows.join("\n");
    if (remaining >= whole.length) {
      rendered.push(`${part.heading}\n${whole}`);
      used += part.heading.length + whole.length + 3;
      continue;
    }
    if (remaining < 200) {
      droppedParts++;
      if (cut.length < 10) cut.push(`all ${part.rows.length.toLocaleString("en-US")} ${part.what}`);
      continue;
    }
    const text = joinWithinBudget(part.rows, remaining, (n) => `\n_… ${plural(n, "more row")} cut to fit GitHub's size limit._`);
    const kept = text.split("\n").filter((l) => l.startsWith("|") || l.startsWith("- ")).length;
    const omitted = part.rows.length - kept;
    if (omitted > 0) cut.push(`${omitted.toLocaleString("en-US")} of ${part.rows.length.toLocaleString("en-US")} ${part.what}`);
    rendered.push(`${part.heading}\n${text}`);
    used += part.heading.length + text.length + 3;
  }
  if (droppedParts > cut.length) cut.push(`${droppedParts - cut.length} more sections`);
  const notice =
    cut.length === 0
      ? []
      : [
          `> [!NOTE]\n> This review was shortened to fit GitHub's 65,536-character limit. Cut: ${cut.join("; ")}. Every finding is also in the check run's annotations.`.slice(
            0,
            NOTICE_RESERVE - 10,
          ),
        ];
  const body = [fixed[0] ?? "", ...notice, ...fixed.slice(1), ...rendered].join("\n\n");
  // Last, after every text derived from the pull request: the marker a rerun recognises this review by (review-marker.ts).
  return withReviewMarker(body, marked, REVIEW_BODY_LIMIT);
}
