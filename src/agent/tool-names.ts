/**
 * The tools the review agent may call: read-only, scoped to the pull request's head commit.
 * Names and meanings follow gemini-cli, so agent definitions written for it read the same here.
 */
export const REVIEW_TOOL_NAMES = ["read_file", "list_directory", "glob", "grep_search", "read_many_files"] as const;

export type ReviewToolName = (typeof REVIEW_TOOL_NAMES)[number];

export function isReviewToolName(name: string): name is ReviewToolName {
  return (REVIEW_TOOL_NAMES as readonly string[]).includes(name);
}
