import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { DEFAULT_REPO_CONFIG, parseRepoConfigText, repoConfigJsonSchema } from "../../src/config/repo-config.js";
import { DEFAULT_INCLUDE_GLOBS } from "../../src/migrations/relevant-files.js";
import { ROOT } from "../helpers/run-built.js";

describe(".github/data-engineer.yml", () => {
  it("has sensible defaults for every key", () => {
    expect(DEFAULT_REPO_CONFIG).toMatchObject({
      failOn: "error",
      reviewEvent: "COMMENT",
      maxInlineComments: 25,
      postgresVersion: 18,
      autoReview: { enabled: true, drafts: false },
      paths: { include: [...DEFAULT_INCLUDE_GLOBS] },
    });
  });

  it("reads every documented key", () => {
    const config = parseRepoConfigText(
      "failOn: warning\nreviewEvent: REQUEST_CHANGES\nmaxInlineComments: 10\npostgresVersion: 15\nframework: dbmate\n" +
        "tables:\n  orders: { rows: 50000000 }\nrules:\n  ban-drop-column: error\npaths:\n  include: ['db/**']\n" +
        "autoReview:\n  drafts: true\n  ignoreAuthors: ['renovate[bot]']\n  baseBranches: [main]\nagent:\n  enabled: false\nreplay:\n  enabled: true\n",
    );
    expect(config).toMatchObject({ failOn: "warning", framework: "dbmate", tables: { orders: { rows: 50_000_000 } }, paths: { include: ["db/**"] } });
    expect(config.paths.exclude.length).toBeGreaterThan(0);
  });

  it.each([
    ["failOn: sometimes", 'key "failOn"'],
    ["maxInlineComment: 3", 'unknown key "maxInlineComment"'],
    ["autoReview:\n  draft: true", 'unknown key "autoReview.draft"'],
    ["tables:\n  orders: { rows: lots }", 'key "tables.orders.rows"'],
    ["paths: [db]", 'key "paths"'],
    ["failOn: [unclosed", "not valid YAML"],
  ])("names the key in %j", (yaml, expected) => {
    expect(() => parseRepoConfigText(yaml)).toThrow(ConfigError);
    expect(() => parseRepoConfigText(yaml)).toThrow(expected);
  });

  it("publishes a JSON Schema generated from the same definition, kept current", () => {
    const committed = JSON.parse(readFileSync(`${ROOT}docs/data-engineer.schema.json`, "utf8")) as unknown;
    expect(committed, "run npm run schema").toEqual(repoConfigJsonSchema());
  });
});
