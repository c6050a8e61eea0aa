import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import YAML from "yaml";
import type { RepoConfig } from "../config/repo-config.js";
import { InternalError, errorMessage } from "../errors.js";
import { packageFile } from "../package-files.js";
import { inlineCode } from "../report/markdown.js";
import { closeRuleIds } from "../ids/close-rule-ids.js";
import { canonicalRuleId, isRuleId, ruleIdsFor } from "../ids/rule-ids.js";
import { RULES, RULES_BY_ID } from "../rules/index.js";
import { presetSeverity, TIER_NAME } from "../rules/presets.js";

/**
 * `/data-engineer explain <rule-id>`: the rule's page from docs/rules/, which ships with the
 * package (next to src/ and dist/). Only ids of known rules are read: the id comes from a comment.
 * Every rule of the registry has a page, the replay's checks included.
 */

const RULE_DOCS = pathToFileURL(`${packageFile("docs", "rules")}/`);

export type Explanation = { found: true; markdown: string } | { found: false; markdown: string };

async function rulePage(id: string): Promise<{ title?: string; body: string }> {
  let text: string;
  try {
    text = await readFile(new URL(`${encodeURIComponent(id)}.md`, RULE_DOCS), "utf8");
  } catch (error) {
    throw new InternalError(`the documentation of ${id} is missing from this installation (${errorMessage(error)})`, { cause: error });
  }
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n([\s\S]*)$/.exec(text);
  if (!match) return { body: text };
  const front = YAML.parse(match[1] ?? "") as { title?: unknown } | null;
  const body = demoteHeadings((match[2] ?? "").replace(new RegExp(`^\\s*# ${id}\\s*\\n`), "").trim());
  return { ...(typeof front?.title === "string" ? { title: front.title } : {}), body };
}

/** The page's headings two levels down, under the reply's own heading; code blocks untouched. */
function demoteHeadings(markdown: string): string {
  let fence: string | undefined;
  return markdown
    .split("\n")
    .map((line) => {
      const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
      if (marker && (fence === undefined || (marker[0] === fence[0] && marker.length >= fence.length))) {
        fence = fence === undefined ? marker : undefined;
        return line;
      }
      return fence === undefined && /^#{1,4} /.test(line) ? `##${line}` : line;
    })
    .join("\n");
}

/** The reply's text (without addressee): the rule's page, or the rules whose ids are close. */
export async function explainRule(requested: string, config: RepoConfig): Promise<Explanation> {
  const id = canonicalRuleId(requested) ?? requested;
  const squawk = isRuleId(requested) ? undefined : canonicalRuleId(requested);
  const rule = RULES_BY_ID.get(id);
  if (!rule) {
    const close = closeRuleIds(requested);
    const all = RULES.map((r) => inlineCode(r.id)).join(", ");
    const text =
      close.length > 0
        ? `there is no rule ${inlineCode(requested)}. Did you mean ${close.map((c) => inlineCode(c)).join(", ")}?`
        : `there is no rule ${inlineCode(requested)}.`;
    return { found: false, markdown: `${text}\n\n<details><summary>Every rule</summary>\n\n${all}\n\n</details>` };
  }
  const page = await rulePage(id);
  const setting = config.rules[id];
  const facts = [
    `tier **${TIER_NAME[presetSeverity(rule, "recommended")]}** (\`recommended\`), **${TIER_NAME[presetSeverity(rule, "strict")]}** (\`strict\`)`,
    `category ${rule.meta.category}`,
    ...(setting !== undefined ? [`in this repository: **${setting}** (\`rules.${id}\`)`] : []),
  ].join(" · ");
  const heading = `### ${inlineCode(id)}${page.title ? `: ${page.title}` : ""}`;
  const others = squawk ? ruleIdsFor(requested).filter((other) => other !== id) : [];
  const alias = squawk
    ? `squawk's ${inlineCode(requested)} is checked by data-engineer's ${inlineCode(id)}${others.length > 0 ? ` (and ${others.map((o) => inlineCode(o)).join(", ")}: ask for those by name)` : ""}.\n\n`
    : "";
  return { found: true, markdown: `here is the rule's documentation.\n\n${alias}${heading}\n\n${facts}\n\n${page.body}` };
}
