/**
 * The tools the review agent may call: read-only, scoped to the pull request's head commit.
 * Names and meanings follow gemini-cli, so agent definitions written for it read the same here.
 * This module sits at the bottom of the import graph: it imports nothing.
 */
export const REVIEW_TOOL_NAMES = ["read_file", "list_directory", "glob", "grep_search", "read_many_files"] as const;

export type ReviewToolName = (typeof REVIEW_TOOL_NAMES)[number];

export function isReviewToolName(name: string): name is ReviewToolName {
  return (REVIEW_TOOL_NAMES as readonly string[]).includes(name);
}

/** gemini-cli's older tool names, mapped to the current ones (its TOOL_LEGACY_ALIASES): in definitions and in calls. */
export const LEGACY_TOOL_NAMES: Readonly<Record<string, ReviewToolName>> = { search_file_content: "grep_search" };

/** Parameter names of each tool, spelt as gemini-cli spells them (the model may know them from there). */
export const REVIEW_TOOL_PARAMETER_NAMES = {
  read_file: ["file_path", "start_line", "end_line"],
  list_directory: ["dir_path", "ignore", "file_filtering_options"],
  glob: ["pattern", "dir_path", "case_sensitive", "respect_git_ignore", "respect_gemini_ignore"],
  grep_search: [
    "pattern",
    "dir_path",
    "include_pattern",
    "exclude_pattern",
    "names_only",
    "case_sensitive",
    "fixed_strings",
    "context",
    "after",
    "before",
    "no_ignore",
    "max_matches_per_file",
    "total_max_matches",
  ],
  read_many_files: ["include", "exclude", "recursive", "useDefaultExcludes", "file_filtering_options"],
} as const satisfies Record<ReviewToolName, readonly string[]>;
