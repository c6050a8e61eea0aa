import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";
import { importGraph, type ImportEdge } from "./import-graph.js";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const RULE = "layers/no-upward-import";

/** The layer data eslint.config.js exports next to its configuration (a JS file: tsc reads no types from it). */
interface LayerData {
  LAYERS: { name: string; modules: string[] }[];
  ALLOWED_UPWARD_IMPORTS: { from: string; to: string; fix: string }[];
}
const { LAYERS, ALLOWED_UPWARD_IMPORTS } = (await import(pathToFileURL(path.join(projectRoot, "eslint.config.js")).href)) as LayerData;

/** The messages of the layer rule for a file that does not exist, linted with the project's own eslint.config.js. */
async function layerMessages(eslint: ESLint, filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(projectRoot, filePath) });
  return (result?.messages ?? []).map((message) => `${message.ruleId ?? "(parse)"}: ${message.message}`);
}

const layerIndex = (file: string): number => {
  const unit = file.replace(/^src\//, "").split("/")[0] ?? "";
  return LAYERS.findIndex((layer) => layer.modules.includes(unit));
};

describe("the layer rule in eslint.config.js", () => {
  let eslint: ESLint;
  beforeAll(() => {
    // The project's configuration file with only the layer rule run: the fixtures are not files on
    // disk, so the type-aware parsing (the project service) is turned off; the layer rule reads syntax only.
    eslint = new ESLint({
      cwd: projectRoot,
      ruleFilter: ({ ruleId }) => ruleId === RULE,
      overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    });
  });

  it("rejects an import that runs up a layer", async () => {
    const messages = await layerMessages(eslint, "src/sql/layering-fixture.ts", 'export { reviewPullRequest } from "../review/run-review.js";\n');
    expect(messages).toEqual([
      `${RULE}: src/sql (layer sql) must not import src/review (layer review, above it). Layers, top first: ${LAYERS.map((l) => l.name).join(" > ")}.`,
    ]);
  });

  it("rejects a type-only import and an import() that run up a layer", async () => {
    const code =
      'import type { RepoConfig } from "../../config/repo-config.js";\nexport type T = RepoConfig | import("../../review/gather-plan.js").FolderEntry;\nexport const load = () => import("../../jobs/queue.js");\n';
    const messages = await layerMessages(eslint, "src/sql/deeper/layering-fixture.ts", code);
    expect(messages.map((m) => /must not import (\S+)/.exec(m)?.[1])).toEqual(["src/config", "src/review", "src/jobs"]);
  });

  it("rejects an import between two units of one layer", async () => {
    const messages = await layerMessages(eslint, "src/github/layering-fixture.ts", 'export { answerQuestion } from "../agent/ask.js";\n');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain("src/github and src/agent are both in layer adapters");
  });

  it("names a folder that is in no layer", async () => {
    const messages = await layerMessages(eslint, "src/newfolder/layering-fixture.ts", 'export { errorMessage } from "../errors.js";\n');
    expect(messages).toEqual([`${RULE}: src/newfolder is in no layer: add it to the layers in eslint.config.js.`]);
  });

  it("accepts imports down the layers and inside a folder", async () => {
    const code = 'export { parseSql } from "../sql/parse.js";\nexport { RULES } from "../rules/index.js";\nexport { foldersToList } from "./gather-plan.js";\n';
    expect(await layerMessages(eslint, "src/review/layering-fixture.ts", code)).toEqual([]);
  });
});

describe("the layers and their allow-list", () => {
  let edges: ImportEdge[];
  beforeAll(() => {
    edges = importGraph(projectRoot, "src");
  });

  it("place every folder and root file of src/ in exactly one layer", () => {
    const units = readdirSync(path.join(projectRoot, "src")).sort();
    const placed = LAYERS.flatMap((layer) => layer.modules).sort();
    expect(placed).toEqual(units);
  });

  it("allow only imports that exist and still run upward (an entry whose fix merged must go)", () => {
    for (const allowed of ALLOWED_UPWARD_IMPORTS) {
      expect(
        edges.some((edge) => edge.from === allowed.from && edge.to === allowed.to),
        `${allowed.from} -> ${allowed.to}`,
      ).toBe(true);
      expect(layerIndex(allowed.to), `${allowed.from} -> ${allowed.to}`).toBeLessThanOrEqual(layerIndex(allowed.from));
    }
  });
});
