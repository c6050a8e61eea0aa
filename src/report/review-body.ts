import type { AnalysisResult, MigrationAnalysis } from "../rules/engine.js";
import type { AnalyzedStatement, Finding, Severity } from "../rules/types.js";
import { typeText } from "../sql/column-types.js";
import type { NewColumn } from "../sql/effects.js";
import { blockedTraffic, LOCK_MODE_SQL } from "../sql/lock-modes.js";
import { statementBlocks, type RelationLock } from "../sql/locks.js";
import { SEVERITY_LABEL, compareFindings, plainText, type InlineSelection } from "./inline-comments.js";
import { inlineCode, joinWithinBudget, plural } from "./markdown.js";
import { redactSecrets } from "./redact.js";

/**
 * The body of the pull-request review: a Handoff Report (Task Report, Downstream Context) built
 * only from the deterministic analysis, the findings that are not inline comments, and what each
 * statement locks. GitHub rejects bodies over 65,536 characters, so the body is kept ≤ 65,000 and
 * its lowest-priority parts (lock summaries, then notes) go first, with a line saying what was cut.
 */

export const REVIEW_BODY_LIMIT = 65_000;

export interface ReviewBodyInput {
  analysis: AnalysisResult;
  findings: InlineSelection;
  /** Migration and SQL files the analysis read. */
  reviewedFiles: readonly string[];
  /** Relevant files not reviewed, and why (too large, unreadable, not listed by GitHub, …); `outOfScope`: another SQL dialect, left out on purpose. */
  notReviewed: ReadonlyArray<{ path: string; reason: string; outOfScope?: boolean }>;
  /** Findings of the previous review that are gone now. */
  resolved: number;
  headSha: string;
  /** The data-engineer agent's run, when the agent ran. */
  agent?: AgentView;
  /** What the replay in a real Postgres did, when it was asked for (one sentence). */
  replay?: string;
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
  /** Present when the agent finished with its report. */
  report?: AgentHandoff;
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

function relationName(lock: { relation: string; schema?: string }): string {
  return lock.schema ? `${lock.schema}.${lock.relation}` : lock.relation;
}

function allFindings(selection: InlineSelection): Finding[] {
  return [...selection.inline.map((c) => c.finding), ...selection.outsideDiff, ...selection.overCap, ...selection.skippedAsPosted].sort(compareFindings);
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

function taskReport(input: ReviewBodyInput, findings: readonly Finding[]): string {
  const counts = severityCounts(findings);
  const statements = statementsOf(input.analysis);
  const syntax = findings.filter((f) => f.rule === "syntax-error");
  const unreadable = input.notReviewed.filter((n) => ERROR_REASON.test(n.reason));
  // Files of another SQL dialect are out of scope: listed below, they do not make the review partial.
  const missed = input.notReviewed.filter((n) => n.outOfScope !== true);
  const ownStatus = input.reviewedFiles.length === 0 && missed.length > 0 ? "failure" : missed.length > 0 || syntax.length > 0 ? "partial" : "success";
  const agent = input.agent?.report?.part1;
  // The agent may report a worse status than the analyser's, never a better one.
  const status = agent && STATUS_RANK[agent.status] > STATUS_RANK[ownStatus] ? agent.status : ownStatus;
  const objective = agent
    ? modelText(agent.objectiveAchieved)
    : status === "success"
      ? `Review the ${plural(input.reviewedFiles.length, "migration file")} this pull request changes for deployment risks: fully met.`
      : status === "partial"
        ? `Review the migration files this pull request changes for deployment risks: partly met (${plural(missed.length, "file")} not reviewed, ${plural(syntax.length, "syntax error")}).`
        : "Review the migration files this pull request changes for deployment risks: not met, no file could be reviewed.";
  const ownValidation = input.reviewedFiles.length === 0 ? "skipped" : findings.some((f) => f.severity === "error" && !f.acknowledged) ? "fail" : "pass";
  // An error the analyser found fails validation whatever the agent says.
  const validation = ownValidation === "pass" && agent?.validation === "fail" ? "fail" : ownValidation;
  const s = input.findings;
  const view = input.agent;
  const agentDecisions = view
    ? [
        view.report
          ? `The data-engineer agent (${inlineCode(view.model)}) read the repository at the head commit in ${plural(view.turns, "turn")}${view.merged > 0 ? ` and added to ${plural(view.merged, "analyser finding")}` : ""}.`
          : `The data-engineer agent did not finish (${inlineCode(view.reason)}${view.detail ? `: ${plainText(view.detail)}` : ""}); this report is the analyser's alone.`,
        ...(view.unavailableTools.length > 0
          ? [`Not available to the agent in this read-only review: ${view.unavailableTools.map(inlineCode).join(", ")} (listed in its definition).`]
          : []),
        ...(view.refusedTools.length > 0 ? [`The agent called ${view.refusedTools.map(inlineCode).join(", ")}, which were refused.`] : []),
      ]
    : [];
  const decisions = [
    `${plural(s.inline.length, "finding")} posted as inline comments; ${plural(s.outsideDiff.length, "finding")} outside the diff and ${plural(s.overCap.length, "finding")} over the inline cap are listed in this body.`,
    ...(s.skippedAsPosted.length > 0 ? [`${plural(s.skippedAsPosted.length, "finding")} already commented on in an earlier review: not repeated inline.`] : []),
    input.replay && input.replay.startsWith("Replay:") && !input.replay.startsWith("Replay: not run")
      ? "Lock modes, rewrites and scans come from the statement-level lock model, checked against the locks the replay read from Postgres."
      : "Lock modes, rewrites and scans come from the statement-level lock model, not from a live database.",
    ...(input.replay ? [plainText(input.replay)] : []),
    ...agentDecisions,
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
    `- **Status**: ${status}`,
    `- **Objective Achieved**: ${objective}`,
    `- **Files Created / Modified / Deleted**: a review changes no files; migrations reviewed:${bulletList(input.reviewedFiles.map(inlineCode), 6_000, "file")}`,
    `- **Decisions Made**:${bulletList(decisionItems, 4_000, "decision")}`,
    `- **Validation**: ${validation}`,
    `- **Validation Output**: ${plural(counts.error, "error")}, ${plural(counts.warning, "warning")}, ${plural(counts.note, "note")} in ${plural(input.analysis.migrations.length, "migration")} (${plural(statements.length, "statement")} analysed)`,
    `- **Errors**: ${errors.length === 0 ? "none" : bulletList(errors, 4_000, "error")}`,
    `- **Scope Deviations**: ${deviations.length === 0 ? "none" : bulletList(deviations, 4_000, "file")}`,
  ].join("\n");
}

/** Locks on relations that existed before the migration: a table created earlier in it is new and unused. */
function existingLocks(statement: AnalyzedStatement): RelationLock[] {
  return statement.locks.locks.filter((l) => !l.created && !l.unused && !statement.createdRelations.has(l.relation));
}

function lockWarning(statement: AnalyzedStatement): string | undefined {
  const existing = existingLocks(statement);
  if (existing.length === 0) return undefined;
  const blocks = statementBlocks({ ...statement.locks, locks: existing });
  if (!blocks.reads && !blocks.writes && !statement.locks.rewrites && !statement.locks.scans) return undefined;
  const effects = [
    blocks.reads ? "blocks reads and writes" : blocks.writes ? "blocks writes" : "",
    statement.locks.rewrites ? "rewrites the table" : "",
    statement.locks.scans ? "scans the table" : "",
  ].filter((e) => e !== "");
  const locks = existing.map((l) => `${LOCK_MODE_SQL[l.mode]} on ${inlineCode(relationName(l))}`).join(", ");
  return `${inlineCode(`${statement.path}:${statement.line}`)} ${inlineCode(shortSql(statement.text))}: ${locks}; ${effects.join(", ")}`;
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
  const assumptions = [
    "table sizes are unknown unless configured in .github/data-engineer.yml: lock and rewrite durations are not estimated from data",
    "an unqualified name is taken to be in the public schema",
    ...notes,
  ];
  const warnings = up.map(lockWarning).filter((w): w is string => w !== undefined);
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

function outsideItem(f: Finding): string {
  return `- **${SEVERITY_LABEL[f.severity]}** ${inlineCode(f.rule)} at ${inlineCode(`${f.path}:${f.line}`)}: ${plainText(f.message)}${f.help ? ` ${plainText(f.help)}` : ""}`;
}

function blocksText(lock: RelationLock, isNew: boolean): string {
  if (isNew || lock.unused) return "nothing";
  const b = blockedTraffic(lock.indexes ?? lock.mode);
  const own = blockedTraffic(lock.mode);
  const reads = b.reads || own.reads;
  const writes = b.writes || own.writes;
  return reads ? "reads, writes" : writes ? "writes" : "nothing";
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
  if (agent.report) return `Agent: ${inlineCode(agent.model)}, ${plural(agent.turns, "turn")}, ${usage}.`;
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
      : `${plural(counts.error, "error")}, ${plural(counts.warning, "warning")}, ${plural(counts.note, "note")} in ${plural(input.analysis.migrations.length, "migration")}.`;
  const head = [
    `## data-engineer review of ${inlineCode(input.headSha.slice(0, 12))}`,
    summary,
    [
      s.overCap.length > 0 ? `${plural(s.overCap.length, "more finding")} not shown inline (the inline comments are capped).` : "",
      s.skippedAsPosted.length > 0 ? `${plural(s.skippedAsPosted.length, "finding")} already commented on in an earlier review.` : "",
      `Fixed since the last review: ${input.resolved.toLocaleString("en-US")}`,
      input.agent ? agentLine(input.agent) : "",
    ]
      .filter((l) => l !== "")
      .join("\n"),
  ].join("\n\n");
  const fixed = [head, taskReport(input, findings), downstreamContext(input)];

  const tableHead = "| Severity | Rule | Where | What |\n| --- | --- | --- | --- |";
  const serious = findings.filter((f) => f.severity !== "note");
  const notes = findings.filter((f) => f.severity === "note");
  const parts: Part[] = [];
  if (serious.length > 0) parts.push({ heading: `### Findings\n\n${tableHead}`, rows: serious.map(findingRow), what: "findings" });
  const outsideSerious = [...s.outsideDiff].sort(compareFindings).filter((f) => f.severity !== "note");
  const outsideNotes = [...s.outsideDiff].sort(compareFindings).filter((f) => f.severity === "note");
  if (outsideSerious.length > 0) parts.push({ heading: "### Outside the diff", rows: outsideSerious.map(outsideItem), what: "findings outside the diff" });
  if (notes.length > 0) parts.push({ heading: `### Notes\n\n${tableHead}`, rows: notes.map(findingRow), what: "notes" });
  if (outsideNotes.length > 0) parts.push({ heading: "### Notes outside the diff", rows: outsideNotes.map(outsideItem), what: "notes outside the diff" });
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
  let used = fixed.reduce((n, p) => n + p.length + 2, 0) + NOTICE_RESERVE;
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
  return body.length <= REVIEW_BODY_LIMIT ? body : `${body.slice(0, REVIEW_BODY_LIMIT - 1)}…`;
}
