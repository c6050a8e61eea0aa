import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DENIED_PATHS, deniedEntry, resolveInWorkspace } from "../../../src/agent/tools/confine.js";
import { makeWorkspace, OUTSIDE_FILES, STANDARD_LAYOUT } from "./workspace.js";
import type { TempWorkspace } from "./workspace.js";

let ws: TempWorkspace;
beforeAll(async () => {
  ws = await makeWorkspace(STANDARD_LAYOUT, OUTSIDE_FILES);
});
afterAll(async () => {
  await ws.cleanup();
});

describe("resolveInWorkspace", () => {
  it("accepts a path relative to the root", async () => {
    const result = await resolveInWorkspace(ws.root, "db/migrate/001_create_users.sql");
    expect(result).toEqual({
      ok: true,
      absolute: path.join(ws.root, "db/migrate/001_create_users.sql"),
      relative: "db/migrate/001_create_users.sql",
    });
  });

  it("accepts an absolute path inside the root, a leading @ and the root itself", async () => {
    expect(await resolveInWorkspace(ws.root, path.join(ws.root, "db/schema.rb"))).toMatchObject({ ok: true, relative: "db/schema.rb" });
    expect(await resolveInWorkspace(ws.root, "@db/schema.rb")).toMatchObject({ ok: true, relative: "db/schema.rb" });
    expect(await resolveInWorkspace(ws.root, "./db/../db/schema.rb")).toMatchObject({ ok: true, relative: "db/schema.rb" });
    expect(await resolveInWorkspace(ws.root, ".")).toMatchObject({ ok: true, relative: ".", absolute: ws.root });
  });

  it("resolves a symbolic link that stays inside to its target", async () => {
    const result = await resolveInWorkspace(ws.root, "current.sql");
    expect(result).toEqual({ ok: true, absolute: path.join(ws.root, "db/migrate/002_add_index.sql"), relative: "current.sql" });
  });

  it.each([
    ["../../etc/passwd", "path_not_in_workspace"],
    ["/etc/passwd", "path_not_in_workspace"],
    ["..", "path_not_in_workspace"],
    ["db/../../outside.sql", "path_not_in_workspace"],
    ["escape.sql", "path_not_in_workspace"],
    ["escape-dir/stolen.sql", "path_not_in_workspace"],
    [".env", "path_refused"],
    [".envrc", "path_refused"],
    [".env.local", "path_refused"],
    ["config/.env.production", "path_refused"],
    [".git/config", "path_refused"],
    [".git", "path_refused"],
    ["deploy/id_rsa", "path_refused"],
    ["deploy/id_ed25519.pub", "path_refused"],
    ["deploy/server.pem", "path_refused"],
    ["deploy/SERVER.KEY", "path_refused"],
    ["certs/client.p12", "path_refused"],
    ["secrets/database.yml", "path_refused"],
    ["secrets", "path_refused"],
    [".aws/credentials", "path_refused"],
    ["node_modules/pkg/index.sql", "path_refused"],
    ["infra/terraform.tfstate", "path_refused"],
    ["gha-creds-1234abcd.json", "path_refused"],
    ["config/credentials.json", "path_refused"],
    [".npmrc", "path_refused"],
    [".netrc", "path_refused"],
    [".pypirc", "path_refused"],
    ["env-link", "path_refused"],
    ["db/schema.rb\0.png", "path_refused"],
    ["db/missing.sql", "file_not_found"],
  ])("refuses %j with %s", async (requested, type) => {
    const result = await resolveInWorkspace(ws.root, requested);
    expect(result).toMatchObject({ ok: false, type });
    if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
  });

  it("does not tell the model where the workspace is", async () => {
    const result = await resolveInWorkspace(ws.root, "escape.sql");
    expect(JSON.stringify(result)).not.toContain(ws.root);
    expect(JSON.stringify(result)).not.toContain(ws.outside);
  });

  it("reports a missing workspace without throwing", async () => {
    await expect(resolveInWorkspace(path.join(ws.root, "nope"), "a.sql")).resolves.toMatchObject({ ok: false, type: "file_not_found" });
  });
});

describe("credential files named in issue 18", () => {
  it.each([
    ".git-credentials",
    "home/.npmrc",
    ".pypirc",
    ".netrc",
    "deploy/id_rsa",
    "deploy/id_dsa",
    "deploy/id_ed25519_sk",
    "certs/server.pem",
    "certs/client.p12",
    "certs/client.pfx",
    "certs/tls.key",
    "gcp/credentials.json",
    "gcp/service-account-prod.json",
    "ops/.pgpass",
    "ops/.docker/config.json",
    "ops/.kube/config",
    "infra/prod.tfstate.backup",
    ".ssh/config",
  ])("refuses %s", (relative) => {
    expect(deniedEntry(relative)).toBeDefined();
  });

  it.each(["db/migrate/001_id_sequence.sql", "db/id_sequence.sql", "app/models/identity.py", "config/database.yml", ".github/workflows/ci.yml"])(
    "still reads %s",
    (relative) => {
      expect(deniedEntry(relative)).toBeUndefined();
    },
  );

  it("refuses .git-credentials through read_file, with the reason", async () => {
    const creds = await makeWorkspace({ ".git-credentials": "https://user:ghp_abcdefghijklmnopqrstuvwxyz0123456789AB@github.com\n" });
    try {
      const result = await resolveInWorkspace(creds.root, ".git-credentials");
      expect(result).toMatchObject({ ok: false, type: "path_refused" });
    } finally {
      await creds.cleanup();
    }
  });
});

describe("DENIED_PATHS", () => {
  it("covers the secrets the brief lists", () => {
    expect(DENIED_PATHS).toEqual(expect.arrayContaining([".git", "node_modules", ".env*", "*.pem", "*.key", "id_rsa*", "secrets"]));
  });

  it.each(["db/environment.rb", "config/environments/production.rb", "db/secrets_helper.rb", "keys.sql", "db/migrate/001_keys.sql", "gitlab.sql"])(
    "lets %s through",
    (relative) => {
      expect(deniedEntry(relative)).toBeUndefined();
    },
  );
});
