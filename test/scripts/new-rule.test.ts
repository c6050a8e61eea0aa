import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addToRegistry, main } from "../../scripts/new-rule.js";
import type * as IdsModule from "../../src/ids/rule-ids.js";
import type * as RegistryModule from "../../src/rules/index.js";
import type { Rule } from "../../src/rules/types.js";
import { loadSqlParser } from "../../src/sql/parse.js";
import { DOC_SECTIONS, readDoc, runExample } from "../helpers/rule-docs.js";
import { ROOT } from "../helpers/run-built.js";

/**
 * `npm run new-rule` run for real (Node's type stripping, as npm runs it) into a copy of src/,
 * README.md and the docs and test folders; then the copy's registry is loaded and the new rule's
 * page goes through the checks of the documentation meta-test.
 */

const ID = "ban-lock-table";
let copy: string;

beforeAll(async () => {
  await loadSqlParser();
  copy = mkdtempSync(join(tmpdir(), "de-new-rule-"));
  cpSync(`${ROOT}src`, join(copy, "src"), { recursive: true });
  cpSync(`${ROOT}README.md`, join(copy, "README.md"));
  mkdirSync(join(copy, "docs/rules"), { recursive: true });
  mkdirSync(join(copy, "test/rules"), { recursive: true });
  // The copy's imports of libpg-query and zod resolve from here.
  symlinkSync(`${ROOT}node_modules`, join(copy, "node_modules"), "dir");
});

afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe("npm run new-rule", () => {
  let output: string;

  beforeAll(() => {
    output = execFileSync(process.execPath, [`${ROOT}scripts/new-rule.ts`, "--root", copy, ID, "--category", "locking", "--severity", "warning"], {
      encoding: "utf8",
    });
  });

  it("writes the rule, its test and its page, and edits the ids, the registry and the README", () => {
    expect(output).toContain("Wrote 6 files:");
    for (const path of [`src/rules/${ID}.ts`, `test/rules/${ID}.test.ts`, `docs/rules/${ID}.md`]) expect(existsSync(join(copy, path)), path).toBe(true);
    expect(readFileSync(join(copy, "README.md"), "utf8")).toContain(`| [\`${ID}\`](docs/rules/${ID}.md) | locking | warning | warning |`);
  });

  it("registers the rule under its id, among the analyser's rules", async () => {
    const ids = (await import(join(copy, "src/ids/rule-ids.ts"))) as typeof IdsModule;
    const registry = (await import(join(copy, "src/rules/index.ts"))) as typeof RegistryModule;
    expect(ids.ANALYSER_RULE_IDS).toContain(ID);
    expect((registry.RULE_REGISTRY as Record<string, Rule>)[ID]?.id).toBe(ID);
    expect(registry.RULES.map((rule) => rule.id)).toEqual([...ids.RULE_IDS]);
  });

  it("writes a page that passes the documentation meta-test with the rule it wrote", async () => {
    const rule = ((await import(join(copy, `src/rules/${ID}.ts`))) as { default: Rule }).default;
    const doc = readDoc(`${copy}/`, ID);
    expect(doc.front).toMatchObject({ id: ID, severity: rule.meta.severity, category: rule.meta.category });
    expect(typeof doc.front.title).toBe("string");
    for (const section of DOC_SECTIONS) expect(doc.body).toContain(section);
    expect(doc.body).toContain("**Tier:** Warning under `recommended`, Warning under `strict`: ");
    for (const example of doc.insteadOf) expect(runExample(example, rule).map((f) => f.rule)).toContain(ID);
    for (const example of doc.use) expect(runExample(example, rule).map((f) => f.rule)).toEqual([]);
  });

  it("refuses an id that exists, and changes nothing", () => {
    const before = readFileSync(join(copy, "src/ids/rule-ids.ts"), "utf8");
    const lines: string[] = [];
    // A replay check has no file of its own in src/rules/: only the ids module knows it.
    expect(main(["--root", copy, "replay-up-fails"], ROOT, (line) => lines.push(line))).toBe(1);
    expect(main(["--root", copy, "ban-drop-table"], ROOT, (line) => lines.push(line))).toBe(1);
    expect(lines).toEqual(['new-rule: src/ids/rule-ids.ts already names "replay-up-fails"', "new-rule: src/rules/ban-drop-table.ts exists already"]);
    expect(readFileSync(join(copy, "src/ids/rule-ids.ts"), "utf8")).toBe(before);
    expect(existsSync(join(copy, "test/rules/replay-up-fails.test.ts"))).toBe(false);
    expect(existsSync(join(copy, "docs/rules/replay-up-fails.md"))).toBe(false);
  });

  it.each([["Ban_Lock"], ["lock"], ["--category"]])("refuses %j as an id", (arg) => {
    const lines: string[] = [];
    expect(main(["--root", copy, arg], ROOT, (line) => lines.push(line))).toBe(1);
    expect(lines.join("\n")).toMatch(/is not a rule id|must be one of/);
  });
});

describe("addToRegistry", () => {
  it("puts the import in path order and the entry above the engine's own rules", () => {
    const text =
      'import a from "./a-rule.js";\nimport c from "./c-rule.js";\n\nexport const RULE_REGISTRY = {\n  "a-rule": a,\n  // Raised by the engine itself.\n};\n';
    expect(addToRegistry(text, "b-rule")).toBe(
      'import a from "./a-rule.js";\nimport bRule from "./b-rule.js";\nimport c from "./c-rule.js";\n\nexport const RULE_REGISTRY = {\n  "a-rule": a,\n  "b-rule": bRule,\n  // Raised by the engine itself.\n};\n',
    );
  });
});
