/**
 * Every limit the review tools apply, in one place. The model pays for each character a tool
 * returns and the server pays for each file a tool walks, so all output and all work is bounded;
 * whenever a limit cuts something, the tool says what it showed and how to get the rest.
 */

/** read_file: lines returned by one call when no smaller range is asked for. */
export const MAX_LINES_PER_READ = 800;

/** Characters kept of one line before it is cut with a marker (read_file, read_many_files). */
export const MAX_LINE_CHARS = 1000;

/** Characters kept of one matching line in grep_search output. */
export const MAX_GREP_LINE_CHARS = 300;

/** Characters of file content returned by one read_file call, whatever the line count. */
export const MAX_READ_CHARS = 100_000;

/**
 * Files larger than this are not read (read_file, read_many_files) nor searched (grep_search).
 * Generous because schema dumps (Rails structure.sql, pg_dump output) are often over 1 MiB and
 * read_file pages through them by lines anyway.
 */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** A file holding a NUL byte in its first BINARY_SNIFF_BYTES bytes is treated as binary. */
export const BINARY_SNIFF_BYTES = 8 * 1024;

/** grep_search: matches returned when total_max_matches is not given. */
export const MAX_GREP_MATCHES = 100;

/** grep_search: the highest total_max_matches (and max_matches_per_file) the model may ask for. */
export const MAX_GREP_MATCHES_LIMIT = 500;

/** grep_search: wall-clock budget for one search, walk and regex matching included. */
export const GREP_TIMEOUT_MS = 5000;

/** glob, list_directory, read_many_files: budget for matching the model's glob patterns. */
export const PATTERN_TIMEOUT_MS = 5000;

/** Longest regex or glob pattern accepted from the model. */
export const MAX_PATTERN_CHARS = 1000;

/** glob: paths returned by one call. */
export const MAX_GLOB_RESULTS = 200;

/** list_directory: entries returned by one call. */
export const MAX_LIST_ENTRIES = 500;

/** read_many_files: files read by one call. */
export const MAX_READ_MANY_FILES = 20;

/** read_many_files: characters of file content returned by one call, all files together. */
export const MAX_READ_MANY_CHARS = 120_000;

/** Entries (files and folders) one workspace walk visits before it stops (glob, grep_search, read_many_files). */
export const MAX_WALK_FILES = 50_000;

/** Longest path accepted from the model. */
export const MAX_PATH_CHARS = 4096;

/** Patterns or paths accepted in one array parameter (ignore, include, exclude). */
export const MAX_PATTERNS_PER_CALL = 100;

/** read_many_files: skipped files named one by one before the rest are only counted. */
export const MAX_SKIPPED_LISTED = 50;

/**
 * Tool calls run per model turn; more are answered with an error. Each call may walk the whole
 * workspace (grep_search, glob), so one turn asking for hundreds would hold the server's disk and
 * CPU for every tenant.
 */
export const MAX_TOOL_CALLS_PER_TURN = 10;

/** grep_search: lines of context (context, before, after) shown around a match at most. */
export const MAX_GREP_CONTEXT_LINES = 50;
