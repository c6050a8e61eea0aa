import { DEFAULT_ANALYSIS_CONFIG, type AnalysisConfig } from "../config/analysis-config.js";
import type { Migration, MigrationSection, SourceFile } from "../migrations/model.js";
import { effectsOf } from "../sql/effects.js";
import { LOCK_MODES, type LockMode } from "../sql/lock-modes.js";
import { SchemaFacts, statementLocks } from "../sql/locks.js";
import { NotNullFacts, type NotNullFactsJson } from "../sql/not-null-facts.js";
import { ObjectDependencies } from "../sql/object-dependencies.js";
import { alterCommandsOf, bodyOf } from "../sql/nodes.js";
import type { SqlSyntaxError } from "../sql/parse.js";
import { parseTemplatedSql } from "../sql/parse-templated.js";
import type { SchemaFactsJson } from "../sql/schema-facts.js";
import { SourceText } from "../sql/source-text.js";
import { PLACEHOLDER_PREFIX } from "../sql/template-mask.js";
import { syntaxError, templatedSql, unusedIgnore } from "./builtin.js";
import { checkFixes, type FixCheckOptions } from "./fix-check.js";
import { RULES } from "./index.js";
import { CreatedRelations, SectionState } from "./statement-state.js";
import { applyIgnores, findIgnoreDirectives, type IgnoreDirective } from "./suppression.js";
import { presetSeverity } from "./presets.js";
import { applyTablePolicy } from "./table-policy.js";
import { tableFacts } from "./table-sizes.js";
import type { AlterTableContext, AnalyzedStatement, Finding, Rule, RuleReport, SectionAnalysis, Severity, StatementContext, TableFacts } from "./types.js";

/**
 * The deterministic analysis: parse each SQL section of each migration, follow the transaction
 * and what holds at every statement, run the rules, apply ignore comments and configuration.
 * Plain data in, plain data out; call `loadSqlParser()` once before.
 */

export interface MigrationAnalysis {
  migration: Migration;
  sections: SectionAnalysis[];
}

export interface AnalysisResult {
  migrations: MigrationAnalysis[];
  /** Sorted by path, then line. */
  findings: Finding[];
}

export interface AnalysisOptions {
  config?: AnalysisConfig;
  /** The rules to run; every registered rule by default. */
  rules?: readonly Rule[];
  /** Every fix analysed again, none known refused without it (fix-outcome.ts): the reference the tests compare with. */
  fullFixCheck?: boolean;
}

/** A message template cut at its {{placeholders}}: odd indexes hold the keys. Made once per template. */
const templateParts = new Map<string, string[]>();

function render(template: string, data: Record<string, string | number> | undefined): string {
  let parts = templateParts.get(template);
  if (!parts) {
    parts = template.split(/\{\{(\w+)\}\}/);
    templateParts.set(template, parts);
  }
  let text = parts[0] ?? "";
  for (let i = 1; i < parts.length; i += 2) {
    const key = parts[i] ?? "";
    text += (data && key in data ? String(data[key]) : `{{${key}}}`) + (parts[i + 1] ?? "");
  }
  return text;
}

/** A rule's tier under `config`: `rules:` first, then what the report asks for, then the preset's tier. */
function severityIn(config: AnalysisConfig, rule: Rule, requested: Severity | undefined): Severity | undefined {
  const setting = config.rules[rule.id];
  if (setting === "off") return undefined;
  return setting ?? requested ?? presetSeverity(rule, config.preset);
}

/**
 * How the fixes are checked under `options`: the fixed migration analysed the same way, and
 * whether a CONCURRENTLY refused in a transaction is known to be reported as an error there
 * (the rule runs, at error tier; it reports no table, so no table policy changes its tier).
 */
export function fixCheckOptions(options: AnalysisOptions): FixCheckOptions {
  const refusal = (options.rules ?? RULES).find((rule) => rule.id === "concurrently-in-transaction");
  const config = options.config ?? DEFAULT_ANALYSIS_CONFIG;
  return {
    reanalyse: (changed, again) => analyzeOnce(changed, again, options),
    refusalKnown: options.fullFixCheck !== true && refusal !== undefined && severityIn(config, refusal, undefined) === "error",
  };
}

/** Liquibase keeps rollback SQL in `--rollback` comments: blank the markers, keep every position. */
function liquibaseRollbackText(text: string, section: MigrationSection): string {
  const body = text.slice(section.start, section.end).replace(/^([ \t]*)--rollback\b/gm, (_m, indent: string) => `${indent}          `);
  return text.slice(0, section.start) + body + text.slice(section.end);
}

const UP_ONLY = ["up"] as const;

/** What the migrations analysed so far leave for the next one, as plain data (the result cache keeps it). */
export interface AnalysisState {
  facts: SchemaFactsJson;
  dependencies: Array<[string, string[]]>;
  notNull: NotNullFactsJson;
}

/** Exported for the result cache (cached-analysis.ts), which replays a migration's part instead of analysing it. */
export class Analysis {
  readonly findings: Finding[] = [];
  readonly directives: IgnoreDirective[] = [];
  /** Per file, the template statements that do not parse even masked: one note each file, at the first. */
  readonly templateErrors = new Map<string, { line: number; count: number }>();
  private readonly sources = new Map<string, SourceText>();
  /**
   * What the up migrations analysed so far tell about the schema (foreign keys, index → table,
   * column types, partitions), in migration order: a later migration's DROP INDEX then names its
   * table, and a type change is known to rewrite or not. Downs read it but do not teach it.
   */
  private facts = new SchemaFacts();
  /** What depends on what in the up migrations so far, for what a down's DROP … CASCADE takes along. */
  private dependencies = new ObjectDependencies();
  /** Which columns earlier up statements declared NOT NULL or proved so with a validated check, in the same order. */
  private notNull = new NotNullFacts();

  /** The rules the configuration does not turn off: one list for the whole analysis, which the dispatch keys its tables by. */
  private readonly active: readonly Rule[];
  /** The active rules that look at a migration as a whole, in registry order. */
  private readonly withMigration: readonly Rule[];

  constructor(
    private readonly files: ReadonlyMap<string, string>,
    private readonly config: AnalysisConfig,
    rules: readonly Rule[],
  ) {
    this.active = rules.filter((rule) => config.rules[rule.id] !== "off");
    this.withMigration = this.active.filter((rule) => rule.migration !== undefined);
  }

  /** The state after the migrations analysed so far, to serialise at once (it shares live objects). */
  state(): AnalysisState {
    return { facts: this.facts.toJSON(), dependencies: this.dependencies.toJSON(), notNull: this.notNull.toJSON() };
  }

  /** Continues as if the migrations `state` was taken after had been analysed (their findings are the caller's). */
  restore(state: AnalysisState): void {
    this.facts = SchemaFacts.fromJSON(state.facts);
    this.dependencies = ObjectDependencies.fromJSON(state.dependencies);
    this.notNull = NotNullFacts.fromJSON(state.notNull);
  }

  source(path: string): SourceText {
    let source = this.sources.get(path);
    if (!source) {
      source = new SourceText(path, this.files.get(path) ?? "");
      this.sources.set(path, source);
    }
    return source;
  }

  /** `rules:` first, then what the report asks for (the table policy's tier included), then the preset's tier. */
  severityOf(rule: Rule, requested: Severity | undefined): Severity | undefined {
    return severityIn(this.config, rule, requested);
  }

  table(name: string): TableFacts | undefined {
    return tableFacts(this.config, name);
  }

  add(
    rule: Rule,
    requested: RuleReport<string>,
    where: {
      path: string;
      line: number;
      endLine: number;
      section?: MigrationSection;
      locks?: AnalyzedStatement["locks"];
      heldAccessExclusive?: readonly string[];
    },
  ): void {
    const held = requested.lock ?? heldLockOn(requested.table, where);
    const report = applyTablePolicy(requested, (name) => this.table(name), held, rule.meta.severity);
    // SQL generated from an ORM call or a Liquibase change: a SQL replacement of the file's lines
    // would write SQL into Ruby or XML, so the fix is left to the help text. Nor is a fix that
    // would write a template's placeholder into the file.
    const fix = where.section?.sql !== undefined || report.fix?.replacement.includes(PLACEHOLDER_PREFIX) ? undefined : report.fix;
    const severity = this.severityOf(rule, report.severity);
    if (!severity) return;
    const template = rule.meta.messages[report.messageId] ?? report.messageId;
    this.findings.push({
      rule: rule.id,
      severity,
      category: rule.meta.category,
      path: report.path ?? where.path,
      line: report.line ?? where.line,
      endLine: report.endLine ?? report.line ?? where.endLine,
      message: render(template, report.data),
      ...(report.help ? { help: report.help } : {}),
      ...(fix ? { fix } : {}),
    });
  }

  private syntaxFinding(path: string, error: SqlSyntaxError): void {
    this.add(syntaxError, { messageId: "syntax", data: { message: error.message } }, { path, line: error.line, endLine: error.line });
  }

  analyzeMigration(migration: Migration): MigrationAnalysis {
    const sections: SectionAnalysis[] = [];
    // Each migration is taken to run on a connection of its own: a SET timezone in an earlier one does not hold here.
    this.facts.newSession();
    const created = { up: new CreatedRelations(), down: new CreatedRelations() };
    for (const part of migration.unread ?? []) {
      this.add(
        syntaxError,
        { messageId: "unread", data: { message: part.message }, severity: part.severity },
        { path: part.path, line: part.line, endLine: part.line },
      );
    }
    for (const section of migration.sections) {
      if (section.language !== "sql" && section.sql === undefined) continue;
      let source = section.sql !== undefined ? new SourceText(section.path, section.sql) : this.source(section.path);
      if (migration.framework === "liquibase" && section.direction === "down" && section.sql === undefined) {
        source = new SourceText(section.path, liquibaseRollbackText(source.text, section));
      }
      // Comments only matter for ignore directives; scanning for them costs as much as parsing.
      const withComments = /(?:data-engineer|squawk)-ignore/.test(source.text.slice(section.start, section.end));
      // Template expressions ({{ }}, ${ }, :var) are masked to placeholders of the same length first.
      const parsed = parseTemplatedSql(source, section.start, section.end, { comments: withComments });
      for (const error of parsed.errors) this.syntaxFinding(section.path, error);
      for (const error of parsed.templateErrors) {
        const known = this.templateErrors.get(section.path);
        if (known) known.count++;
        else this.templateErrors.set(section.path, { line: error.line, count: 1 });
      }
      const state = new SectionState(section, created[section.direction], parsed.statements.length);
      const statements: AnalyzedStatement[] = [];
      for (const statement of parsed.statements) {
        const locks = statementLocks(statement, this.facts);
        const effects = effectsOf(statement.node);
        const notNull = this.notNull.viewFor(statement);
        if (section.direction === "up") {
          this.facts.learn(statement);
          this.notNull.learn(statement);
          this.dependencies.learn(effects);
        }
        // The statement's fields listed, not spread: a literal of known shape is one allocation, where
        // a spread copies property by property (25 000 statements on a large folder).
        const analyzed: AnalyzedStatement = {
          kind: statement.kind,
          node: statement.node,
          text: statement.text,
          start: statement.start,
          end: statement.end,
          line: statement.line,
          column: statement.column,
          endLine: statement.endLine,
          endColumn: statement.endColumn,
          path: section.path,
          direction: section.direction,
          section,
          locks,
          effects,
          inTransaction: state.inTransaction,
          inExplicitTransaction: state.inExplicit,
          inImplicitTransaction: state.inImplicitOnly,
          lockTimeoutSet: state.lockTimeout,
          statementTimeoutSet: state.statementTimeout,
          heldAccessExclusive: state.held,
          createdRelations: state.created.snapshot(),
          notNull,
        };
        statements.push(analyzed);
        state.after(statement, locks, effects);
      }
      sections.push({ section, statements });
      // The range as plain lines: a directive outlives its statement's syntax tree.
      const rangeAfter = (afterLine: number) => {
        const next = statements.find((s) => s.line > afterLine);
        return next && { line: next.line, endLine: next.endLine };
      };
      this.directives.push(...findIgnoreDirectives(section.path, parsed.comments, rangeAfter));
    }
    this.runRules(migration, sections);
    return { migration, sections };
  }

  private runRules(migration: Migration, sections: SectionAnalysis[]): void {
    const table = (name: string) => this.table(name);
    const sources = new Map(migration.files.map((path) => [path, this.source(path)]));
    const firstPath = migration.files[0] ?? migration.folder;
    const active = this.active;
    // One context per statement, shared by every rule: `current` says whose report it is. A
    // context per rule and statement would be a million short-lived objects on a large folder.
    let current: Rule | undefined;
    // Indexed loops, no destructuring: the CLI runs without the optimising compiler (--no-opt),
    // where a for-of over 330,000 calls of the corpus costs its iterator steps one by one.
    for (let s = 0; s < sections.length; s++) {
      const statements = sections[s]!.statements;
      for (let i = 0; i < statements.length; i++) {
        const statement = statements[i]!;
        const calls = this.dispatch.callsFor(statement.kind, statement.direction, active);
        if (calls.length === 0) continue;
        const context: StatementContext<string> = {
          migration,
          config: this.config,
          table,
          statement,
          report: (report: RuleReport<string>) => {
            if (current) this.add(current, report, statement);
          },
        };
        const altered = statement.kind === "AlterTableStmt" ? alterOfExisting(statement, context) : undefined;
        // The subcommands' types, once for every rule that asks for some.
        let subtypes: Set<string | undefined> | undefined;
        for (let c = 0; c < calls.length; c++) {
          const call = calls[c]!;
          const rule = call.rule;
          current = rule;
          if (call.statement) rule.statement!(context);
          if (!call.alterTable || !altered) continue;
          if (rule.subcommands) {
            subtypes ??= new Set(altered.commands.map((command) => command.subtype));
            if (!rule.subcommands.some((wanted) => subtypes!.has(wanted))) continue;
          }
          rule.alterTable!(altered);
        }
      }
    }
    const withMigration = this.withMigration;
    for (let r = 0; r < withMigration.length; r++) {
      const rule = withMigration[r]!;
      rule.migration!({
        migration,
        droppedWith: (name) => this.dependencies.droppedWith(name),
        config: this.config,
        table,
        sections,
        sources,
        report: (report) => this.add(rule, report, { path: firstPath, line: 1, endLine: 1 }),
      });
    }
  }

  private readonly dispatch = new Dispatch();

  finish(): Finding[] {
    for (const [path, { line, count }] of this.templateErrors) {
      this.add(templatedSql, { messageId: "unparsed", data: { count: count === 1 ? "1 statement" : `${count} statements` } }, { path, line, endLine: line });
    }
    const kept = applyIgnores(this.findings, this.directives);
    for (const directive of this.directives) {
      if (directive.used) continue;
      this.add(
        unusedIgnore,
        { messageId: "unused", data: { rules: directive.rules.length > 0 ? directive.rules.join(", ") : "every rule" } },
        { path: directive.path, line: directive.line, endLine: directive.line },
      );
      const added = this.findings.at(-1);
      if (added?.rule === unusedIgnore.id) kept.push(added);
    }
    return kept.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line || (a.rule < b.rule ? -1 : 1)));
  }
}

/** One rule's calls for statements of one kind and direction. */
interface RuleCalls {
  rule: Rule;
  statement: boolean;
  alterTable: boolean;
}

/**
 * Which rules a statement of each node kind and direction goes to, in registry order, and which
 * of their functions: `statement` when the rule names no `nodes` or names this kind, `alterTable`
 * for ALTER TABLE only; rules of other directions not at all. Built once per kind and direction,
 * so that a statement costs no test of a rule that has nothing for it.
 */
class Dispatch {
  private readonly byKind = { up: new Map<string, RuleCalls[]>(), down: new Map<string, RuleCalls[]>() };
  private rules: readonly Rule[] | undefined;

  callsFor(kind: string, direction: AnalyzedStatement["direction"], active: readonly Rule[]): readonly RuleCalls[] {
    if (this.rules !== active) {
      this.byKind.up.clear();
      this.byKind.down.clear();
      this.rules = active;
    }
    const byKind = this.byKind[direction];
    let calls = byKind.get(kind);
    if (!calls) {
      calls = [];
      for (const rule of active) {
        if (!(rule.meta.directions ?? UP_ONLY).includes(direction)) continue;
        const statement = rule.statement !== undefined && (!rule.nodes || (rule.nodes as readonly string[]).includes(kind));
        const alterTable = rule.alterTable !== undefined && kind === "AlterTableStmt";
        if (statement || alterTable) calls.push({ rule, statement, alterTable });
      }
      byKind.set(kind, calls);
    }
    return calls;
  }
}

/** The context for `alterTable` rules: an ALTER TABLE whose table existed before the migration. */
function alterOfExisting(statement: AnalyzedStatement, context: StatementContext<string>): AlterTableContext<string> | undefined {
  const alter = bodyOf(statement.node, "AlterTableStmt");
  const target = alter?.relation?.relname;
  if (!target || statement.createdRelations.has(target)) return undefined;
  return { ...context, target, commands: alterCommandsOf(alter) };
}

/**
 * The strongest lock held on the report's tables while the statement runs: what it takes itself,
 * or ACCESS EXCLUSIVE kept from an earlier statement of its transaction.
 */
function heldLockOn(
  table: RuleReport<string>["table"],
  statement: { locks?: AnalyzedStatement["locks"]; heldAccessExclusive?: readonly string[] },
): LockMode | undefined {
  if (table === undefined || !statement.locks) return undefined;
  const names = new Set(typeof table === "string" ? [table] : table);
  if (statement.heldAccessExclusive?.some((name) => names.has(name))) return "AccessExclusiveLock";
  let strongest: LockMode | undefined;
  for (const lock of statement.locks.locks) {
    if (!names.has(lock.relation)) continue;
    if (!strongest || LOCK_MODES.indexOf(lock.mode) > LOCK_MODES.indexOf(strongest)) strongest = lock.mode;
  }
  return strongest;
}

export function analyzeMigrations(files: readonly SourceFile[], migrations: readonly Migration[], options: AnalysisOptions = {}): AnalysisResult {
  return checkFixes(analyzeOnce(files, migrations, options), files, fixCheckOptions(options));
}

/** The analysis without the fix check (which calls it again on fixed migrations). */
export function analyzeOnce(files: readonly SourceFile[], migrations: readonly Migration[], options: AnalysisOptions): AnalysisResult {
  const analysis = new Analysis(new Map(files.map((file) => [file.path, file.text])), options.config ?? DEFAULT_ANALYSIS_CONFIG, options.rules ?? RULES);
  const results = migrations.map((migration) => analysis.analyzeMigration(migration));
  return { migrations: results, findings: analysis.finish() };
}

/**
 * analyzeMigrations one migration at a time: each migration's fixes are checked as soon as it is
 * analysed (as the result cache does, whose output is the same), then its analysis goes to
 * `project`; what `project` does not keep (syntax trees, lock sets) is garbage before the next
 * migration, where a long folder's would otherwise all be held until the end.
 */
export function analyzeEach<T>(
  files: readonly SourceFile[],
  migrations: readonly Migration[],
  options: AnalysisOptions,
  project: (analysed: MigrationAnalysis) => T,
): { migrations: T[]; findings: Finding[] } {
  const analysis = new Analysis(new Map(files.map((file) => [file.path, file.text])), options.config ?? DEFAULT_ANALYSIS_CONFIG, options.rules ?? RULES);
  const fixCheck = fixCheckOptions(options);
  const filesByPath = new Map(files.map((file) => [file.path, file]));
  const results = migrations.map((migration) => {
    const before = analysis.findings.length;
    const analysed = analysis.analyzeMigration(migration);
    const fresh = analysis.findings.slice(before);
    if (fresh.some((finding) => finding.fix)) {
      // Its own files only: the check reads no other, and a map of every file per migration was quadratic.
      const own = migration.files.flatMap((path) => filesByPath.get(path) ?? []);
      analysis.findings.splice(before, fresh.length, ...checkFixes({ migrations: [analysed], findings: fresh }, own, fixCheck).findings);
    }
    return project(analysed);
  });
  return { migrations: results, findings: analysis.finish() };
}
