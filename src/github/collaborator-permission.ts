import { callGitHub } from "./call.js";
import type { GitHubOctokit } from "./octokit.js";

/** The answer of "Get repository permissions for a user". */
export interface CollaboratorPermission {
  permission: string;
  roleName?: string;
}

/** A user's permission on the repository (commands and the labels that skip the check are gated by it). */
export async function readCollaboratorPermission(
  octokit: GitHubOctokit,
  owner: string,
  repo: string,
  username: string,
  doing: string,
): Promise<CollaboratorPermission> {
  const { data } = await callGitHub({ kind: "read", doing }, () => octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username }));
  return { permission: data.permission, ...(data.role_name ? { roleName: data.role_name } : {}) };
}
