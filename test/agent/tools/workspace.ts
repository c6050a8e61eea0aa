import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { ToolContext } from "../../../src/agent/tools/tool.js";

/** A real temporary workspace plus a folder outside it, for the review tools' tests. */
export interface TempWorkspace {
  root: string;
  /** A folder next to the workspace, outside it: the target of escaping symbolic links. */
  outside: string;
  ctx: ToolContext;
  cleanup(): Promise<void>;
}

export type Layout = Record<string, string | Buffer | { symlink: string }>;

/**
 * Creates the files of `layout` (workspace-relative paths) in a fresh temporary folder.
 * `{ symlink: target }` makes a symbolic link; a target starting with "OUTSIDE/" points into
 * the folder outside the workspace.
 */
export async function makeWorkspace(layout: Layout, outsideFiles: Record<string, string> = {}): Promise<TempWorkspace> {
  const tmp = await realpath(os.tmpdir());
  const root = await mkdtemp(path.join(tmp, "review-tools-root-"));
  const outside = await mkdtemp(path.join(tmp, "review-tools-outside-"));
  for (const [name, content] of Object.entries(outsideFiles)) {
    await mkdir(path.dirname(path.join(outside, name)), { recursive: true });
    await writeFile(path.join(outside, name), content);
  }
  for (const [name, content] of Object.entries(layout)) {
    const file = path.join(root, name);
    await mkdir(path.dirname(file), { recursive: true });
    if (typeof content === "string" || Buffer.isBuffer(content)) {
      await writeFile(file, content);
    } else {
      const target = content.symlink.startsWith("OUTSIDE/") ? path.join(outside, content.symlink.slice("OUTSIDE/".length)) : content.symlink;
      await symlink(target, file);
    }
  }
  return {
    root,
    outside,
    ctx: { root, signal: new AbortController().signal },
    cleanup: async () => {
      await rm(root, { recursive: true, force: true });
      await rm(outside, { recursive: true, force: true });
    },
  };
}

/** Lines "line 1" … "line n", newline-terminated. */
export function numberedLines(n: number): string {
  return Array.from({ length: n }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
}

/**
 * The layout most tests share: migrations, a schema, a big file, a binary, secrets of every
 * kind, and symbolic links inside and out.
 */
export const STANDARD_LAYOUT: Layout = {
  "README.md": "# Demo\n",
  "db/migrate/001_create_users.sql": "CREATE TABLE users (\n  id bigint PRIMARY KEY,\n  email text\n);\n",
  "db/migrate/002_add_index.sql": "-- index for lookups\nCREATE INDEX idx_users_email ON users (email);\n",
  "db/schema.rb": 'ActiveRecord::Schema.define do\n  create_table "users" do |t|\n    t.text "email"\n  end\n  add_index "users", ["email"]\nend\n',
  "big.sql": numberedLines(2300),
  "logo.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48]),
  ".env": "DATABASE_PASSWORD=hunter2\n",
  ".envrc": "export DATABASE_PASSWORD=hunter2\n",
  "config/.env.production": "DATABASE_PASSWORD=hunter2\n",
  ".git/config": "[core]\n\trepositoryformatversion = 0 # hunter2\n",
  "deploy/id_rsa": "-----BEGIN OPENSSH PRIVATE KEY----- hunter2\n",
  "deploy/server.pem": "-----BEGIN CERTIFICATE----- hunter2\n",
  "deploy/run.sh": "#!/bin/sh\nexec migrate up\n",
  "secrets/database.yml": "password: hunter2\n",
  ".aws/credentials": "aws_secret_access_key = hunter2\n",
  "node_modules/pkg/index.sql": "CREATE INDEX hunter2 ON t (c);\n",
  "infra/terraform.tfstate": '{"password": "hunter2"}\n',
  "escape.sql": { symlink: "OUTSIDE/stolen.sql" },
  "escape-dir": { symlink: "OUTSIDE/" },
  "current.sql": { symlink: "db/migrate/002_add_index.sql" },
  "env-link": { symlink: ".env" },
};

/** The contents of the folder outside the workspace that STANDARD_LAYOUT links to. */
export const OUTSIDE_FILES: Record<string, string> = { "stolen.sql": "CREATE INDEX hunter2 ON stolen (c);\n" };
