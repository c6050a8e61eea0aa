import type { Finding, Rule, Severity } from "../rules/types.js";

/**
 * SARIF 2.1.0, the format GitHub code scanning (github/codeql-action/upload-sarif) and most
 * editors read: one run whose tool lists every rule of the registry (so a rule's index never
 * depends on what was found), then one result per finding with its file and lines.
 * https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 * https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
 */

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
export const SARIF_VERSION = "2.1.0";
/** Where the tool is described; SARIF asks for an absolute URI. */
export const DATA_ENGINEER_INFORMATION_URI = "https://github.com/apps/data-engineer";

export type SarifLevel = "error" | "warning" | "note";

export interface SarifRule {
  id: string;
  shortDescription: { text: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { category: string; tags: string[]; docs?: string };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: Array<{
    physicalLocation: {
      artifactLocation: { uri: string };
      region: { startLine: number; endLine: number };
    };
  }>;
}

export interface SarifLog {
  $schema: string;
  version: typeof SARIF_VERSION;
  runs: Array<{
    tool: { driver: { name: string; version: string; informationUri: string; rules: SarifRule[] } };
    results: SarifResult[];
  }>;
}

export interface SarifOptions {
  /** The rule registry (RULES): every rule is listed, in its order. */
  rules: readonly Rule[];
  /** data-engineer's version. */
  version: string;
  /**
   * A finding's path as a SARIF URI. Code scanning resolves relative URIs against the repository
   * root, so the default (the path, percent-encoded) fits paths that are repository-relative.
   */
  uriOf?: (path: string) => string;
}

const LEVEL: Record<Severity, SarifLevel> = { error: "error", warning: "warning", note: "note" };

/** A repository-relative path as a relative URI reference: forward slashes, each segment percent-encoded. */
export function relativeUri(path: string): string {
  return path.split(/[\\/]/).map(encodeURIComponent).join("/");
}

function registryRule(rule: Rule): SarifRule {
  return {
    id: rule.id,
    shortDescription: { text: rule.meta.description },
    defaultConfiguration: { level: LEVEL[rule.meta.severity] },
    // The rule's page ships with data-engineer (docs/rules/<id>.md in the package).
    properties: { category: rule.meta.category, tags: [rule.meta.category], docs: `docs/rules/${rule.id}.md` },
  };
}

/** A rule the registry does not hold: the agent's findings (`agent/<category>`). The replay's checks are registry rules. */
function unregisteredRule(finding: Finding): SarifRule {
  const agent = finding.origin === "agent" || finding.category === "agent";
  return {
    id: finding.rule,
    shortDescription: { text: agent ? `Finding of the data-engineer agent (${finding.rule.replace(/^agent\//, "")})` : finding.rule },
    defaultConfiguration: { level: LEVEL[finding.severity] },
    properties: { category: finding.category, tags: agent ? ["agent"] : [finding.category] },
  };
}

export function toSarif(findings: readonly Finding[], options: SarifOptions): SarifLog {
  const uriOf = options.uriOf ?? relativeUri;
  const rules = options.rules.map(registryRule);
  const index = new Map(rules.map((rule, i) => [rule.id, i]));
  for (const finding of findings) {
    if (index.has(finding.rule)) continue;
    index.set(finding.rule, rules.length);
    rules.push(unregisteredRule(finding));
  }
  return {
    $schema: SARIF_SCHEMA,
    version: SARIF_VERSION,
    runs: [
      {
        tool: { driver: { name: "data-engineer", version: options.version, informationUri: DATA_ENGINEER_INFORMATION_URI, rules } },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: index.get(f.rule) ?? -1,
          level: LEVEL[f.severity],
          message: { text: f.help ? `${f.message} ${f.help}` : f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: uriOf(f.path) },
                region: { startLine: Math.max(1, f.line), endLine: Math.max(1, f.line, f.endLine) },
              },
            },
          ],
        })),
      },
    ],
  };
}
