import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repositoryContext } from "../../src/agent/repository-context.js";
import { createUntrustedFence } from "../../src/agent/untrusted.js";
import { makeWorkspace, type TempWorkspace } from "./tools/workspace.js";

let ws: TempWorkspace;
beforeAll(async () => {
  ws = await makeWorkspace({
    "AGENTS.md": "Migrations live in db/migrate and always set lock_timeout.\n",
    "GEMINI.md": "Use sqitch naming.\n",
    ".gitignore": "tmp/\n",
    ".env": "SECRET=hunter2\n",
    "db/migrate/001_init.sql": "CREATE TABLE t ();\n",
    "db/migrate/deep/x.sql": "SELECT 1;\n",
    "app/models/order.py": "class Order: pass\n",
    "tmp/cache.bin": "x",
    "README.md": "# Shop\n",
  });
});
afterAll(async () => {
  await ws.cleanup();
});

describe("the repository context of the first turn", () => {
  it("shows a shallow tree and the AGENTS.md and GEMINI.md conventions, fenced as the author's text", async () => {
    const text = await repositoryContext(ws.root, createUntrustedFence("cafe"));
    expect(text).toContain(
      '<untrusted-data-cafe source="repository tree">\napp/\n  models/\ndb/\n  migrate/\n.gitignore\nAGENTS.md\nGEMINI.md\nREADME.md\n</untrusted-data-cafe>',
    );
    expect(text).toContain('<untrusted-data-cafe source="AGENTS.md">\nMigrations live in db/migrate and always set lock_timeout.\n');
    expect(text).toContain("Use sqitch naming.");
    // Secrets and ignored folders stay out; nothing below the second level is listed.
    expect(text).not.toContain(".env");
    expect(text).not.toContain("tmp/");
    expect(text).not.toContain("deep");
  });
});
