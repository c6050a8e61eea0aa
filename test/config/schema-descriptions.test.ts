import { describe, expect, it } from "vitest";
import { RepoConfigSchema, repoConfigJsonSchema } from "../../src/config/repo-config.js";
import { RULE_DESCRIPTIONS } from "../../src/rules/index.js";

/**
 * Editors show a key's description on hover and in completion (yaml-language-server reads
 * docs/data-engineer.schema.json): a key without one leaves the user to guess what it does, its
 * default and what it changes in the check. Every key of the generated schema must have one; a key
 * added to the zod schema without `.describe()` fails here.
 */

type JsonSchema = { [key: string]: unknown };

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every property of every object in the schema, by its path (`a.b`, `tables{}.rows` for a record's values), and its description. */
function properties(schema: unknown, path = ""): { path: string; description: unknown }[] {
  if (!isSchema(schema)) return [];
  const found: { path: string; description: unknown }[] = [];
  if (isSchema(schema.properties)) {
    for (const [key, property] of Object.entries(schema.properties)) {
      const at = path === "" ? key : `${path}.${key}`;
      found.push({ path: at, description: isSchema(property) ? property.description : undefined }, ...properties(property, at));
    }
  }
  // A record's values, an array's items, alternatives and definitions hold objects with keys too.
  found.push(...properties(schema.additionalProperties, `${path}{}`), ...properties(schema.items, `${path}[]`));
  for (const list of ["anyOf", "oneOf", "allOf", "prefixItems"]) {
    const members = schema[list];
    if (Array.isArray(members)) for (const member of members) found.push(...properties(member, path));
  }
  for (const defs of ["$defs", "definitions"]) {
    const group = schema[defs];
    if (isSchema(group)) for (const [name, def] of Object.entries(group)) found.push(...properties(def, `#${name}`));
  }
  return found;
}

function undescribed(schema: unknown): string[] {
  return properties(schema)
    .filter(({ description }) => typeof description !== "string" || description.trim().length < 20)
    .map(({ path }) => path);
}

describe("the configuration's JSON Schema", () => {
  const schema = repoConfigJsonSchema(RULE_DESCRIPTIONS);
  const paths = properties(schema).map((p) => p.path);

  it("reaches every key of the file, nested ones and a record's values included", () => {
    expect(paths).toEqual(expect.arrayContaining(Object.keys(RepoConfigSchema.shape)));
    expect(paths).toEqual(
      expect.arrayContaining(["tables{}.rows", "tables{}.large", "autoReview.ignoreLabels", "golangMigrate.multiStatement", "rules.ban-drop-column"]),
    );
  });

  it("describes every key (a sentence, not a word)", () => {
    expect(undescribed(schema)).toEqual([]);
  });

  it("finds a key without a description wherever it is", () => {
    const bare = {
      type: "object",
      properties: {
        described: { description: "A key that says what it does, its default and its effect.", type: "object", properties: { inner: { type: "string" } } },
        sizes: { description: "A record whose values have keys of their own, described or not.", additionalProperties: { properties: { rows: {} } } },
        either: { description: "A key with alternatives, one of them an object with a key.", anyOf: [{ type: "string" }, { properties: { x: {} } }] },
        short: { description: "Rows." },
      },
      $defs: { shared: { properties: { y: {} } } },
    };
    expect(undescribed(bare)).toEqual(["described.inner", "sizes{}.rows", "either.x", "short", "#shared.y"]);
  });
});
