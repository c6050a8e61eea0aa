/**
 * Every rule id, at the bottom of the import graph: this module imports nothing, so the config,
 * the registry, the replay and the reports can all name rules without importing the rules. The
 * registry (rules/index.ts) is typed against these lists: an id without a rule, or a rule under a
 * name that is not here, does not compile. The order is the registry's (SARIF lists rules in it).
 */

/** Rules the analyser runs on each statement or migration. `npm run new-rule` appends here. */
export const ANALYSER_RULE_IDS = [
  "require-concurrent-index",
  "require-concurrent-index-drop",
  "require-concurrent-reindex",
  "require-concurrent-detach",
  "concurrently-in-transaction",
  "require-not-valid-foreign-key",
  "require-not-valid-check",
  "validate-in-same-transaction",
  "ban-add-unique-constraint",
  "ban-add-primary-key",
  "ban-add-exclusion-constraint",
  "set-not-null-scan",
  "volatile-default-rewrite",
  "rewriting-column-add",
  "unsafe-column-type-change",
  "require-lock-timeout",
  "require-statement-timeout",
  "work-after-access-exclusive",
  "unbatched-backfill",
  "ban-vacuum-full",
  "missing-rollback",
  "empty-rollback",
  "irreversible-rollback",
  "rollback-mismatch",
  "ban-drop-column",
  "ban-drop-table",
  "ban-drop-schema",
  "ban-truncate",
  "ban-cascade",
  "ban-rename-column",
  "ban-rename-table",
  "add-required-column",
  "ban-drop-not-null",
  "require-if-not-exists",
  "transaction-nesting",
  "uncommitted-transaction",
  "prefer-jsonb",
  "prefer-bigint-id",
  "prefer-identity",
  "prefer-text",
  "prefer-timestamptz",
  "ban-char-type",
  "rewriting-storage-change",
  "require-foreign-key-index",
  "identifier-too-long",
  "domain-constraint-scan",
  "enum-add-value-in-transaction",
  "combine-alter-table",
] as const;

/** Diagnostics the engine raises itself (rules/builtin.ts). */
export const BUILTIN_RULE_IDS = ["syntax-error", "templated-sql", "unused-ignore"] as const;

/** What a replay in a real Postgres finds (rules/replay-checks.ts, raised by src/replay/). */
export const REPLAY_RULE_IDS = ["replay-up-fails", "replay-down-fails", "replay-down-mismatch", "replay-reapply-fails", "replay-traced-lock"] as const;

export const RULE_IDS = [...ANALYSER_RULE_IDS, ...BUILTIN_RULE_IDS, ...REPLAY_RULE_IDS] as const;

export type RuleId = (typeof RULE_IDS)[number];

const KNOWN: ReadonlySet<string> = new Set(RULE_IDS);

export function isRuleId(name: string): name is RuleId {
  return KNOWN.has(name);
}

/**
 * squawk's rule names (as squawk prints them) and the rules of ours that check the same thing, so
 * that `-- squawk-ignore`, `/data-engineer explain` and `rules:` in the config understand them.
 * Where one squawk rule covers what several of ours split, the name stands for all of them (the
 * first is the one `explain` shows). squawk rules with no counterpart here
 * (require-enum-value-ordering, identifier-too-long, …) are left out: an ignore naming them
 * suppresses nothing of ours.
 */
export const SQUAWK_RULE_NAMES = {
  "require-concurrent-index-creation": "require-concurrent-index",
  "require-concurrent-index-deletion": "require-concurrent-index-drop",
  "require-concurrent-reindex": "require-concurrent-reindex",
  "require-concurrent-partition-detach": "require-concurrent-detach",
  "ban-concurrent-index-creation-in-transaction": "concurrently-in-transaction",
  "adding-foreign-key-constraint": "require-not-valid-foreign-key",
  // squawk flags a CHECK or a FOREIGN KEY added without NOT VALID, and a VALIDATE in the transaction that added it NOT VALID.
  "constraint-missing-not-valid": ["require-not-valid-check", "require-not-valid-foreign-key", "validate-in-same-transaction"],
  "disallowed-unique-constraint": "ban-add-unique-constraint",
  "adding-serial-primary-key-field": "ban-add-primary-key",
  "adding-not-nullable-field": "set-not-null-scan",
  "adding-required-field": "add-required-column",
  // squawk flags ADD COLUMN with a volatile DEFAULT (any DEFAULT before PG 11) and GENERATED … STORED: every rewriting default.
  "adding-field-with-default": ["volatile-default-rewrite", "rewriting-column-add"],
  "changing-column-type": "unsafe-column-type-change",
  // squawk's older name for its two timeout rules together.
  "require-timeout-settings": ["require-lock-timeout", "require-statement-timeout"],
  "require-lock-timeout": "require-lock-timeout",
  "require-statement-timeout": "require-statement-timeout",
  "prefer-robust-stmts": "require-if-not-exists",
  "ban-drop-column": "ban-drop-column",
  "ban-drop-table": "ban-drop-table",
  "ban-drop-database": "ban-drop-schema",
  "ban-truncate-cascade": "ban-cascade",
  "renaming-column": "ban-rename-column",
  "renaming-table": "ban-rename-table",
  "ban-drop-not-null": "ban-drop-not-null",
  "transaction-nesting": "transaction-nesting",
  "ban-uncommitted-transaction": "uncommitted-transaction",
  "prefer-bigint-over-int": "prefer-bigint-id",
  "prefer-bigint-over-smallint": "prefer-bigint-id",
  "prefer-identity": "prefer-identity",
  "prefer-text-field": "prefer-text",
  // squawk's docs title the rule prefer-timestamptz; the CLI prints prefer-timestamp-tz.
  "prefer-timestamptz": "prefer-timestamptz",
  "prefer-timestamp-tz": "prefer-timestamptz",
  "ban-char-field": "ban-char-type",
  // VACUUM FULL and CLUSTER: squawk suggests PG 19's REPACK, ban-vacuum-full flags the same statements.
  "prefer-repack": "ban-vacuum-full",
  "unused-ignore": "unused-ignore",
  "identifier-too-long": "identifier-too-long",
  "ban-alter-domain-with-add-constraint": "domain-constraint-scan",
} as const satisfies Readonly<Record<string, RuleId | readonly [RuleId, ...RuleId[]]>>;

export type SquawkRuleName = keyof typeof SQUAWK_RULE_NAMES;

/** Our ids for a name that is our id or one of squawk's (several when squawk's rule covers several of ours); empty for anything else. */
export function ruleIdsFor(name: string): readonly RuleId[] {
  if (isRuleId(name)) return [name];
  // hasOwn: a name such as `constructor` must not read the object's prototype.
  if (!Object.hasOwn(SQUAWK_RULE_NAMES, name)) return [];
  const ours: RuleId | readonly RuleId[] = SQUAWK_RULE_NAMES[name as SquawkRuleName];
  return typeof ours === "string" ? [ours] : ours;
}

/** Our id for a name that is our id or one of squawk's (the first, for a squawk rule that covers several); undefined for anything else. */
export function canonicalRuleId(name: string): RuleId | undefined {
  return ruleIdsFor(name)[0];
}
