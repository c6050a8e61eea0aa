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

export const templatedSql = defineRule({
  id: "templated-sql",
  meta: {
    severity: "note",
    category: "hygiene",
    description:
      "A templated SQL file (Go or Jinja templates, ${} or psql placeholders) with statements that do not parse even with their template expressions masked: those were not analysed.",
    messages: {
      unparsed:
        "Template expressions make {{count}} of this file unparseable as PostgreSQL even with placeholders in their place (the first here): not analysed.",
    },
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
