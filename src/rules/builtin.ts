import { defineRule } from "./types.js";

/**
 * Diagnostics the engine itself raises (rules without hooks): kept as rules so that they have an
 * id, a severity users can change, and a documentation page like every other rule.
 */

export const syntaxError = defineRule({
  id: "syntax-error",
  meta: {
    severity: "error",
    category: "hygiene",
    description: "SQL that PostgreSQL cannot parse: the migration would fail at this statement.",
    messages: { syntax: "PostgreSQL cannot parse this: {{message}}.", unread: "{{message}}." },
  },
});

export const unusedIgnore = defineRule({
  id: "unused-ignore",
  meta: {
    severity: "note",
    category: "hygiene",
    description: "An ignore comment that suppresses nothing: it hides future findings for no reason today.",
    messages: { unused: "This ignore comment suppresses nothing ({{rules}}); remove it." },
  },
});
