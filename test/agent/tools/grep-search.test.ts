import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTool } from "../../../src/agent/tools/index.js";
import { GREP_TIMEOUT_MS } from "../../../src/agent/tools/limits.js";
import { makeWorkspace, OUTSIDE_FILES, STANDARD_LAYOUT } from "./workspace.js";
import type { TempWorkspace } from "./workspace.js";

let ws: TempWorkspace;
beforeAll(async () => {
  ws = await makeWorkspace(
    {
      ...STANDARD_LAYOUT,
      "db/migrate/003_more_indexes.sql": "CREATE INDEX a ON t (a);\nCREATE INDEX b ON t (b);\nCREATE INDEX c ON t (c);\n-- CREATE INDEX d ON t (d);\n",
      "app/models/user.rb": "class User\n  # create index? no\nend\n",
    },
    OUTSIDE_FILES,
  );
});
afterAll(async () => {
  await ws.cleanup();
});

const grep = (args: unknown) => runTool("grep_search", args, ws.ctx);

describe("grep_search", () => {
  it("finds matching lines, grouped by file with line numbers, ignoring case", async () => {
    const result = await grep({ pattern: "create\\s+index", dir_path: "db" });
    expect(result.error).toBeUndefined();
    expect(result.llmContent).toBe(
      [
        "Found 5 matches for 'create\\s+index' in 'db':",
        "---",
        "File: db/migrate/002_add_index.sql",
        "L2: CREATE INDEX idx_users_email ON users (email);",
        "---",
        "File: db/migrate/003_more_indexes.sql",
        "L1: CREATE INDEX a ON t (a);",
        "L2: CREATE INDEX b ON t (b);",
        "L3: CREATE INDEX c ON t (c);",
        "L4: -- CREATE INDEX d ON t (d);",
        "---",
      ].join("\n"),
    );
  });

  it("honours include_pattern, exclude_pattern and names_only", async () => {
    const rb = await grep({ pattern: "create.index", include_pattern: "*.rb" });
    expect(rb.llmContent).toContain("File: app/models/user.rb\nL1- class User\nL2:   # create index? no");
    expect(rb.llmContent).not.toContain(".sql");

    const withSlash = await grep({ pattern: "index", include_pattern: "db/migrate/*.sql" });
    expect(withSlash.llmContent).not.toContain("user.rb");
    expect(withSlash.llmContent).toContain("File: db/migrate/003_more_indexes.sql");

    const noComments = await grep({ pattern: "create index", dir_path: "db", exclude_pattern: "^\\s*--" });
    expect(noComments.llmContent).toContain("Found 4 matches");
    expect(noComments.llmContent).not.toContain("L4: --");

    const names = await grep({ pattern: "create index", names_only: true });
    expect(names.llmContent.split("\n\n")[0]).toBe(
      "Found 4 files matching 'create index' in the repository:\napp/models/user.rb\ncurrent.sql\ndb/migrate/002_add_index.sql\ndb/migrate/003_more_indexes.sql",
    );
  });

  it("searches a single file given as dir_path", async () => {
    const result = await grep({ pattern: "email", dir_path: "db/schema.rb" });
    // Two matches: fifteen lines of context around each, which here is the whole file.
    expect(result.llmContent).toContain("(with 15 lines of context around each, shown as 'L<n>-')");
    expect(result.llmContent).toContain(
      'File: db/schema.rb\nL1- ActiveRecord::Schema.define do\nL2-   create_table "users" do |t|\nL3:     t.text "email"\nL4-   end\nL5:   add_index "users", ["email"]\nL6- end',
    );
  });

  it("stops at total_max_matches and max_matches_per_file, and says so", async () => {
    const total = await grep({ pattern: "^line", total_max_matches: 5 });
    expect(total.llmContent).toContain("Found 5 matches");
    expect(total.llmContent).toContain("L5: line 5");
    expect(total.llmContent).not.toContain("L6:");
    expect(total.llmContent).toContain("[Stopped at total_max_matches of 5 matches; there may be more.");

    const defaults = await grep({ pattern: "^line" });
    expect(defaults.llmContent).toContain("Found 100 matches");
    expect(defaults.llmContent).toContain("Stopped at the default limit of 100 matches");

    const perFile = await grep({ pattern: "create index", dir_path: "db", max_matches_per_file: 2, context: 0 });
    expect(perFile.llmContent).toContain("L2: CREATE INDEX b ON t (b);\n(more matches in this file not shown: max_matches_per_file is 2)");
    expect(perFile.llmContent).not.toContain("L3: CREATE INDEX c");
  });

  it("never searches refused files, binaries or files behind links that leave the workspace", async () => {
    const result = await grep({ pattern: "hunter2" });
    expect(result.error).toBeUndefined();
    expect(result.llmContent).toMatch(/^No matches found for 'hunter2' in the repository\./);
    expect(result.llmContent).toContain("refused paths");
    expect((await grep({ pattern: "PNG" })).llmContent).toContain("1 binary file");
    expect((await grep({ pattern: "hunter2", dir_path: ".env" })).error?.type).toBe("path_refused");
    expect((await grep({ pattern: "x", dir_path: "../../etc" })).error?.type).toBe("path_not_in_workspace");
  });

  it("rejects an invalid regex or glob as invalid parameters", async () => {
    const bad = await grep({ pattern: "create (index" });
    expect(bad.error?.type).toBe("invalid_params");
    expect(bad.llmContent).toContain("pattern is not a valid regular expression (RE2 syntax, as ripgrep's)");
    expect((await grep({ pattern: "x", exclude_pattern: "[" })).error?.type).toBe("invalid_params");
  });
});

describe("grep_search with ripgrep's options", () => {
  it("takes RE2 syntax: (?i), POSIX classes and \\b", async () => {
    const inline = await grep({ pattern: "(?i)CREATE\\s+INDEX\\s+[[:alpha:]]\\b", dir_path: "db/migrate", case_sensitive: true });
    expect(inline.error).toBeUndefined();
    expect(inline.llmContent).toContain("Found 4 matches");
    const posix = await grep({ pattern: "^line [[:digit:]]+$", dir_path: "big.sql", total_max_matches: 1 });
    expect(posix.error).toBeUndefined();
    expect(posix.llmContent).not.toContain("No matches");
  });

  it("searches a literal with fixed_strings, and honours case_sensitive", async () => {
    const literal = await grep({ pattern: 'add_index "users", ["email"]', fixed_strings: true, dir_path: "db" });
    expect(literal.llmContent).toContain('L5:   add_index "users", ["email"]');
    const sensitive = await grep({ pattern: "create index", case_sensitive: true, dir_path: "db/migrate" });
    expect(sensitive.llmContent).toMatch(/^No matches found/);
    const insensitive = await grep({ pattern: "create index", case_sensitive: false, dir_path: "db/migrate" });
    expect(insensitive.llmContent).toContain("Found 5 matches");
  });

  it("shows context, before and after lines, and separates windows with --", async () => {
    const result = await grep({ pattern: "CREATE INDEX [ac] ", dir_path: "db/migrate/003_more_indexes.sql", context: 0, before: 0, after: 1 });
    expect(result.llmContent).toContain(
      "File: db/migrate/003_more_indexes.sql\nL1: CREATE INDEX a ON t (a);\nL2- CREATE INDEX b ON t (b);\nL3: CREATE INDEX c ON t (c);\nL4- -- CREATE INDEX d ON t (d);",
    );
    const apart = await grep({ pattern: "^line (10|20)$", dir_path: "big.sql", context: 1 });
    expect(apart.llmContent).toContain("L9- line 9\nL10: line 10\nL11- line 11\n--\nL19- line 19\nL20: line 20\nL21- line 21");
  });

  it("adds fifty lines of context around a single match", async () => {
    const result = await grep({ pattern: "^line 1000$", dir_path: "big.sql" });
    expect(result.llmContent).toContain("L950- line 950");
    expect(result.llmContent).toContain("L1000: line 1000");
    expect(result.llmContent).toContain("L1050- line 1050");
    expect(result.llmContent).not.toContain("L1051-");
  });
});

describe("grep_search against a pattern that backtracks for ever in JavaScript", () => {
  let slow: TempWorkspace;
  beforeAll(async () => {
    slow = await makeWorkspace({ "evil.txt": `${"a".repeat(20_000)}!\n`, "ok.sql": "SELECT 1;\n" });
  });
  afterAll(async () => {
    await slow.cleanup();
  });

  it("answers (a+)+$ in linear time, well inside the search deadline", async () => {
    const started = performance.now();
    const result = await runTool("grep_search", { pattern: "(a+)+$" }, slow.ctx);
    expect(result.error).toBeUndefined();
    expect(result.llmContent).toMatch(/^No matches found/);
    expect(performance.now() - started).toBeLessThan(GREP_TIMEOUT_MS);
  });
});
