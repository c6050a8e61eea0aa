import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTool } from "../../../src/agent/tools/index.js";
import { MAX_LIST_ENTRIES } from "../../../src/agent/tools/limits.js";
import { makeWorkspace, OUTSIDE_FILES, STANDARD_LAYOUT } from "./workspace.js";
import type { Layout, TempWorkspace } from "./workspace.js";

const MANY: Layout = Object.fromEntries(Array.from({ length: MAX_LIST_ENTRIES + 10 }, (_, i) => [`many/f${String(i).padStart(4, "0")}.sql`, "SELECT 1;\n"]));

let ws: TempWorkspace;
beforeAll(async () => {
  ws = await makeWorkspace({ ...STANDARD_LAYOUT, ...MANY, "Zeta.sql": "", "alpha.sql": "", "Beta/x.sql": "", "empty/.gitkeep": "" }, OUTSIDE_FILES);
});
afterAll(async () => {
  await ws.cleanup();
});

const list = (args: unknown) => runTool("list_directory", args, ws.ctx);

describe("list_directory", () => {
  it("lists directories first, then files, alphabetically, and never shows refused entries", async () => {
    const result = await list({ dir_path: "." });
    expect(result.error).toBeUndefined();
    const [head, ...lines] = result.llmContent.split("\n\n")[0]?.split("\n") ?? [];
    expect(head).toBe("Directory listing for .:");
    expect(lines).toEqual([
      "[DIR] .aws", // only .aws/credentials is refused
      "[DIR] Beta",
      "[DIR] config",
      "[DIR] db",
      "[DIR] deploy",
      "[DIR] empty",
      "[DIR] infra",
      "[DIR] many",
      "alpha.sql (0 bytes)",
      "big.sql (21,893 bytes)",
      "current.sql (68 bytes)", // a link, with the size of what it leads to
      "logo.png (10 bytes)",
      "README.md (7 bytes)",
      "Zeta.sql (0 bytes)",
    ]);
    // .env, .envrc, .git, secrets, node_modules, env-link, escape.sql, escape-dir
    expect(result.llmContent).toContain("8 entries not shown: 8 refused");
    expect(result.llmContent).not.toContain("hunter2");
  });

  it("honours ignore patterns, by name or by path", async () => {
    const result = await list({ dir_path: "db", ignore: ["*.rb"] });
    expect(result.llmContent).toBe("Directory listing for db:\n[DIR] migrate\n\n(1 entry not shown: 1 matched ignore.)");
    const byPath = await list({ dir_path: ".", ignore: ["many", "db/**", "*.sql", "B*"] });
    expect(byPath.llmContent).not.toMatch(/many|\[DIR\] db|\.sql|Beta/);
    expect(byPath.llmContent).toContain("README.md");
  });

  it("lists a folder below the root and reports an empty one", async () => {
    expect((await list({ dir_path: "db/migrate" })).llmContent).toBe(
      "Directory listing for db/migrate:\n001_create_users.sql (62 bytes)\n002_add_index.sql (68 bytes)",
    );
    expect((await list({ dir_path: "config" })).llmContent).toBe(
      "Directory 'config' is empty.\n\n(1 entry not shown: 1 refused, as the review tools never read secrets, credentials, .git, node_modules or links leading out of the workspace.)",
    );
  });

  it("caps the listing and says how to see the rest", async () => {
    const result = await list({ dir_path: "many" });
    expect(result.llmContent).toContain(`Showing the first ${MAX_LIST_ENTRIES} of 510 entries.`);
    expect(result.llmContent).toContain("f0499.sql");
    expect(result.llmContent).not.toContain("f0500.sql");
  });

  it.each([
    ["../..", "path_not_in_workspace"],
    ["/etc", "path_not_in_workspace"],
    ["escape-dir", "path_not_in_workspace"],
    [".git", "path_refused"],
    ["secrets", "path_refused"],
    ["node_modules", "path_refused"],
    ["README.md", "target_is_file"],
    ["nope", "file_not_found"],
  ])("refuses %j as %s", async (dir_path, type) => {
    const result = await list({ dir_path });
    expect(result.error?.type).toBe(type);
  });
});
