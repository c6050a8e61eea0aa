import type { RepoConfig } from "./repo-config.js";

/**
 * Who may run commands: a commenter's role on the repository against `commands.minPermission`.
 * GitHub's roles, weakest first; `none` is an outside user.
 */
export const ROLES = ["none", "read", "triage", "write", "maintain", "admin"] as const;
export type Role = (typeof ROLES)[number];

export type MinPermission = RepoConfig["commands"]["minPermission"];

const isRole = (value: string | undefined): value is Role => value !== undefined && (ROLES as readonly string[]).includes(value);

/**
 * The commenter's role from GitHub's answer to "Get repository permissions for a user":
 * `role_name` when it is one of the five base roles (admin, maintain, write, triage, read);
 * otherwise (absent, or a custom role's name) the base `permission` GitHub maps it to.
 */
export function effectiveRole(answer: { permission: string; roleName?: string | undefined }): Role {
  const role = answer.roleName?.toLowerCase();
  if (isRole(role) && role !== "none") return role;
  const permission = answer.permission.toLowerCase();
  return isRole(permission) ? permission : "none";
}

export function meetsPermission(role: Role, min: MinPermission): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(min);
}

/**
 * The weakest `commands.minPermission` the configuration schema accepts: a role below it is
 * refused whatever the repository's file says, so the file need not be read for it.
 */
export const LOWEST_MIN_PERMISSION: MinPermission = "write";
