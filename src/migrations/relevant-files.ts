import picomatch from "picomatch";
import { allFrameworks } from "./frameworks/index.js";

/**
 * Where migrations and SQL live in the frameworks we know: every framework's own globs, each once,
 * in framework order. A file matching any of these is worth a look; the framework detectors
 * (later in the pipeline) decide what it really is.
 */
export const DEFAULT_INCLUDE_GLOBS: readonly string[] = [...new Set(allFrameworks().flatMap((framework) => framework.paths))];

/** Files in those folders that are never migrations: documentation and assets. Matching ignores case. */
export const DEFAULT_EXCLUDE_GLOBS: readonly string[] = [
  "**/node_modules/**",
  "**/*.{md,markdown,txt,rst,png,jpg,jpeg,gif,svg,ico,pdf,lock}",
  "**/.gitkeep",
  "**/.keep",
];

export type ChangedFileStatus = "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";

export interface ChangedFile {
  path: string;
  status: ChangedFileStatus;
  /** The path before a rename, when there was one. */
  previousPath?: string | undefined;
  additions: number;
  deletions: number;
  /** The unified diff GitHub gives for the file; absent for binary or very large files. */
  patch?: string | undefined;
}

export interface RelevantFile extends ChangedFile {
  /** "sql" for .sql files, "migration" for other files in migration folders. */
  kind: "sql" | "migration";
}

export interface RelevantFileMatcher {
  (path: string): boolean;
}

export function createRelevantFileMatcher(
  include: readonly string[] = DEFAULT_INCLUDE_GLOBS,
  exclude: readonly string[] = DEFAULT_EXCLUDE_GLOBS,
): RelevantFileMatcher {
  // Case-insensitive: EF Core writes Migrations/, and V1__Init.SQL is as much SQL as v1.sql.
  const options = { dot: true, nocase: true };
  const isIncluded = picomatch([...include], options);
  const isExcluded = exclude.length > 0 ? picomatch([...exclude], options) : () => false;
  return (path) => isIncluded(path) && !isExcluded(path);
}

const defaultMatcher = createRelevantFileMatcher();

/**
 * The changed files that are migrations or SQL, in the order given. A renamed file counts
 * when either its old or its new path is relevant (moving a migration out of the folder
 * matters as much as moving one in).
 */
export function selectRelevantFiles(files: readonly ChangedFile[], matches: RelevantFileMatcher = defaultMatcher): RelevantFile[] {
  const relevant: RelevantFile[] = [];
  for (const file of files) {
    const hit = matches(file.path) || (file.previousPath !== undefined && matches(file.previousPath));
    if (!hit) continue;
    relevant.push({ ...file, kind: file.path.toLowerCase().endsWith(".sql") ? "sql" : "migration" });
  }
  return relevant;
}
