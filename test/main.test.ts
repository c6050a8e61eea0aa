import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runBuilt } from "./helpers/run-built.js";

// npm start and the image run the bundle; dist/main.js is tsc's build of the same entry.
describe.each(["bundle/start-server.js", "main.js"])("npm start (dist/%s)", (entry) => {
  it("exits with a message naming every missing setting", () => {
    // An empty folder as cwd: no .env there to fill the gaps.
    const ran = runBuilt(entry, [], { cwd: mkdtempSync(join(tmpdir(), "de-start-")) });
    expect(ran.status).toBe(1);
    expect(ran.stderr).toContain("data-engineer cannot start");
    for (const name of ["APP_ID", "PRIVATE_KEY (or PRIVATE_KEY_PATH)", "WEBHOOK_SECRET"]) expect(ran.stderr).toContain(name);
  });

  it("names only what is missing, and a key file that cannot be read", () => {
    const ran = runBuilt(entry, [], {
      cwd: mkdtempSync(join(tmpdir(), "de-start-")),
      env: { APP_ID: "12345", PRIVATE_KEY_PATH: "/nonexistent/key.pem" },
    });
    expect(ran.status).toBe(1);
    expect(ran.stderr).not.toContain("APP_ID");
    expect(ran.stderr).toContain('PRIVATE_KEY_PATH names "/nonexistent/key.pem", which cannot be read');
    expect(ran.stderr).toContain("WEBHOOK_SECRET is not set");
  });
});
