import type { Finding, Rule, Severity } from "../rules/types.js";

/**
 * SARIF 2.1.0, the format GitHub code scanning and most editors read.
 * https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 */

const LEVEL: Record<Severity, "error" | "warning" | "note"> = { error: "error", warning: "warning", note: "note" };

export function toSarif(findings: readonly Finding[], rules: readonly Rule[], version: string): object {
  const used = rules.filter((rule) => findings.some((f) => f.rule === rule.id));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "data-engineer",
            version,
            rules: used.map((rule) => ({
              id: rule.id,
              shortDescription: { text: rule.meta.description },
              defaultConfiguration: { level: LEVEL[rule.meta.severity] },
              // The rule's page ships with data-engineer (docs/rules/<id>.md in the package).
              properties: { category: rule.meta.category, docs: `docs/rules/${rule.id}.md` },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: used.findIndex((r) => r.id === f.rule),
          level: LEVEL[f.severity],
          message: { text: f.help ? `${f.message} ${f.help}` : f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.path },
                region: { startLine: f.line, endLine: f.endLine },
              },
            },
          ],
        })),
      },
    ],
  };
}
