import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTool } from "../../../src/agent/tools/index.js";
import { MAX_GLOB_RESULTS } from "../../../src/agent/tools/limits.js";
import { makeWorkspace, OUTSIDE_FILES, STANDARD_LAYOUT } from "./workspace.js";
import type { Layout, TempWorkspace } from "./workspace.js";

const MANY: Layout = Object.fromEntries(Array.from({ length: MAX_GLOB_RESULTS + 5 }, (_, i) => [`many/f${String(i).padStart(4, "0")}.txt`, "x\n"]));

let ws: TempWorkspace;
beforeAll(async () => {
  ws = await makeWorkspace({ ...STANDARD_LAYOUT, ...MANY, "db/migrate/003_Upper.SQL": "SELECT 1;\n" }, OUTSIDE_FILES);
});
afterAll(async () => {
  await ws.cleanup();
});

const glob = (args: unknown) => runTool("glob", args, ws.ctx);

function paths(llmContent: string): string[] {
  return (llmContent.split("\n\n")[0] ?? "").split("\n").slice(1);
}

describe("glob", () => {
  it("finds files by pattern, sorted by path, case-insensitive by default", async () => {
    const result = await glob({ pattern: "**/*.sql" });
    expect(result.error).toBeUndefined();
    expect(result.llmContent.startsWith("Found 5 files matching '**/*.sql' in the repository:\n")).toBe(true);
    expect(paths(result.llmContent)).toEqual([
      "big.sql",
      "current.sql",
      "db/migrate/001_create_users.sql",
      "db/migrate/002_add_index.sql",
      "db/migrate/003_Upper.SQL",
    ]);
  });

  it("honours case_sensitive and dir_path", async () => {
    const sensitive = await glob({ pattern: "**/*.sql", case_sensitive: true });
    expect(paths(sensitive.llmContent)).not.toContain("db/migrate/003_Upper.SQL");
    const under = await glob({ pattern: "*.sql", dir_path: "db/migrate" });
    expect(paths(under.llmContent)).toEqual(["db/migrate/001_create_users.sql", "db/migrate/002_add_index.sql", "db/migrate/003_Upper.SQL"]);
  });

  it("never lists refused files or files behind links that leave the workspace", async () => {
    const result = await glob({ pattern: "**/*" });
    const found = paths(result.llmContent);
    expect(found).toContain("db/schema.rb");
    expect(found).toContain("deploy/run.sh");
    for (const path of found) {
      expect(path).not.toMatch(/\.env|\.git\/|id_rsa|\.pem$|secrets\/|\.aws|node_modules|tfstate|escape|env-link|stolen/);
    }
    expect(result.llmContent).toContain("paths not searched: the review tools never read secrets");
    expect((await glob({ pattern: "**/.env*" })).llmContent).toMatch(/^No files found matching/);
    expect((await glob({ pattern: "**/stolen.sql" })).llmContent).toMatch(/^No files found matching/);
  });

  it("caps the results and says how to narrow them", async () => {
    const result = await glob({ pattern: "many/*.txt" });
    expect(result.llmContent).toContain(`Found 205 files matching 'many/*.txt' in the repository; showing the first ${MAX_GLOB_RESULTS} by path.`);
    expect(paths(result.llmContent)).toHaveLength(MAX_GLOB_RESULTS);
  });

  it("answers a pattern that matches nothing, and refuses bad dir_paths", async () => {
    expect((await glob({ pattern: "**/*.py" })).error).toBeUndefined();
    expect((await glob({ pattern: "*.sql", dir_path: "../.." })).error?.type).toBe("path_not_in_workspace");
    expect((await glob({ pattern: "*", dir_path: "escape-dir" })).error?.type).toBe("path_not_in_workspace");
    expect((await glob({ pattern: "*", dir_path: ".git" })).error?.type).toBe("path_refused");
    expect((await glob({ pattern: "*", dir_path: "big.sql" })).error?.type).toBe("target_is_file");
  });
});
