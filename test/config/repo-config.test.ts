import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { DEFAULT_REPO_CONFIG, parseRepoConfigText, repoConfigJsonSchema } from "../../src/config/repo-config.js";
import { DEFAULT_INCLUDE_GLOBS } from "../../src/migrations/relevant-files.js";
import { RULE_IDS } from "../../src/ids/rule-ids.js";
import { RULE_DESCRIPTIONS, RULES_BY_ID } from "../../src/rules/index.js";
import { ROOT } from "../helpers/run-built.js";

describe(".github/data-engineer.yml", () => {
  it("has sensible defaults for every key", () => {
    expect(DEFAULT_REPO_CONFIG).toMatchObject({
      failOn: "error",
      reviewEvent: "COMMENT",
      maxInlineComments: 10,
      postgresVersion: 18,
      autoReview: { enabled: true, drafts: false },
      paths: { include: [...DEFAULT_INCLUDE_GLOBS] },
    });
  });

  it("reads every documented key", () => {
    const config = parseRepoConfigText(
      "failOn: warning\nreviewEvent: REQUEST_CHANGES\nmaxInlineComments: 7\npostgresVersion: 15\nframework: dbmate\n" +
        "tables:\n  orders: { rows: 50000000 }\nrules:\n  ban-drop-column: error\npaths:\n  include: ['db/**']\n" +
        "autoReview:\n  drafts: true\n  ignoreAuthors: ['renovate[bot]']\n  baseBranches: [main]\nagent:\n  enabled: false\nreplay:\n  enabled: true\n",
    );
    expect(config).toMatchObject({
      failOn: "warning",
      maxInlineComments: 7,
      framework: "dbmate",
      tables: { orders: { rows: 50_000_000 } },
      paths: { include: ["db/**"] },
    });
    expect(config.paths.exclude.length).toBeGreaterThan(0);
  });

  it.each([
    ["failOn: sometimes", 'key "failOn"'],
    ["maxInlineComment: 3", 'unknown key "maxInlineComment"'],
    ["autoReview:\n  draft: true", 'unknown key "autoReview.draft"'],
    ["tables:\n  orders: { rows: lots }", 'key "tables.orders.rows"'],
    ["paths: [db]", 'key "paths"'],
    ["failOn: [unclosed", "not valid YAML"],
    ["rules:\n  require-concurent-index: off", 'unknown key "rules.require-concurent-index" (did you mean "require-concurrent-index"'],
    ["rules:\n  no-such-rule-at-all: off", 'unknown key "rules.no-such-rule-at-all"'],
    ["rules:\n  ban-drop-column: sometimes", 'key "rules.ban-drop-column"'],
    ["rules:\n  prefer-robust-stmts: off\n  require-if-not-exists: error", 'names the rule require-if-not-exists like "'],
  ])("names the key in %j", (yaml, expected) => {
    expect(() => parseRepoConfigText(yaml)).toThrow(ConfigError);
    expect(() => parseRepoConfigText(yaml)).toThrow(expected);
  });

  it("takes docsUrl, an http(s) base for rule links, and refuses other schemes", () => {
    expect(parseRepoConfigText("docsUrl: https://docs.example.com/rules/").docsUrl).toBe("https://docs.example.com/rules/");
    expect(DEFAULT_REPO_CONFIG.docsUrl).toBeUndefined();
    expect(() => parseRepoConfigText("docsUrl: javascript:alert(1)")).toThrow(ConfigError);
  });

  it("publishes a JSON Schema generated from the same definition, kept current", () => {
    const committed = JSON.parse(readFileSync(`${ROOT}docs/data-engineer.schema.json`, "utf8")) as unknown;
    expect(committed, "run npm run schema").toEqual(repoConfigJsonSchema(RULE_DESCRIPTIONS));
  });

  it("accepts every rule id under rules:, the replay's checks included", () => {
    const yaml = `rules:\n${RULE_IDS.map((id) => `  ${id}: note`).join("\n")}\n`;
    expect(Object.keys(parseRepoConfigText(yaml).rules).sort()).toEqual([...RULE_IDS].sort());
  });

  it("accepts squawk's rule names under rules: and files the setting under our id", () => {
    const config = parseRepoConfigText("rules:\n  prefer-robust-stmts: off\n  prefer-timestamp-tz: error\n  ban-drop-column: note\n");
    expect(config.rules).toEqual({ "require-if-not-exists": "off", "prefer-timestamptz": "error", "ban-drop-column": "note" });
  });

  it("files a squawk name that covers several of our rules under each of them", () => {
    expect(parseRepoConfigText("rules:\n  require-timeout-settings: off\n").rules).toEqual({
      "require-lock-timeout": "off",
      "require-statement-timeout": "off",
    });
    expect(() => parseRepoConfigText("rules:\n  require-timeout-settings: off\n  require-statement-timeout: error\n")).toThrow(/require-statement-timeout/);
  });

  it("accepts two names of one rule when they agree", () => {
    expect(parseRepoConfigText("rules:\n  prefer-bigint-over-int: off\n  prefer-bigint-over-smallint: off\n").rules).toEqual({ "prefer-bigint-id": "off" });
  });

  it("enumerates the rule ids in the JSON Schema with their descriptions, and allows no other key", () => {
    const rules = (
      repoConfigJsonSchema(RULE_DESCRIPTIONS).properties as Record<
        string,
        { properties: Record<string, { description: string; enum?: string[] }>; additionalProperties: unknown }
      >
    ).rules;
    expect(rules?.additionalProperties).toBe(false);
    for (const id of RULE_IDS) expect(rules?.properties[id]?.description, id).toBe(RULES_BY_ID.get(id)?.meta.description);
    expect(rules?.properties["replay-down-mismatch"]?.description).toMatch(/After up then down/);
    expect(rules?.properties["prefer-robust-stmts"]?.description).toMatch(/^squawk's name for require-if-not-exists: /);
    expect(rules?.properties["require-timeout-settings"]?.description).toMatch(/^squawk's name for require-lock-timeout and require-statement-timeout: /);
    expect(rules?.properties["require-concurent-index"]).toBeUndefined();
  });
});
