import type { RE2JS } from "re2js";

/** The RE2 engine's class (re2js): patterns from the model and the repository compile to linear-time matchers. */
export type Re2 = typeof RE2JS;

let loading: Promise<Re2> | undefined;

/**
 * re2js, loaded the first time a tool compiles a pattern, not when the server starts: only the
 * agent's grep_search and ignore files use it (issue 20: /readyz within 0.5 s of start).
 */
export function loadRe2(): Promise<Re2> {
  loading ??= import("re2js").then((module) => module.RE2JS);
  return loading;
}
