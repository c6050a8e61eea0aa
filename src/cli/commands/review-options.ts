import { HELP_OPTION, type CliOptions } from "../options.js";

/** The options of `data-engineer review`: what it parses, its help and the README's table; action.yml passes only options listed here. */
export const REVIEW_OPTIONS = {
  repo: { type: "string", default: ".", value: "DIR", help: "The git repository (default: the current folder)." },
  base: {
    type: "string",
    value: "REF",
    help: "What the changes are compared with, and where the configuration is read (default: origin/HEAD, origin/main, main or master, the first that exists). Not with --github.",
  },
  head: { type: "string", value: "REF", help: "The commit whose changes are reviewed (default: HEAD). Not with --github." },
  format: { type: "string", value: "markdown|json|sarif", help: "How the review is printed (default: markdown). Not with --github." },
  config: {
    type: "string",
    value: "FILE",
    help: "The configuration, instead of .github/data-engineer.yml at --base (with --github: at the default branch).",
  },
  "fail-on": { type: "string", value: "error|warning|never", help: "The lowest tier that fails the check, over the configuration's failOn." },
  github: {
    type: "boolean",
    default: false,
    help: "In a GitHub Actions job on a pull_request event: publish the check run and the review on that pull request, as the app would.",
  },
  sarif: { type: "string", value: "FILE", help: "With --github: also write the findings to FILE as SARIF, for code scanning." },
  "no-agent": { type: "boolean", default: false, help: "Leave the data-engineer agent out, even with GEMINI_API_KEY set." },
  "no-cache": {
    type: "boolean",
    default: false,
    help: "Neither read nor write the result cache (the one lint uses): an analysis of the same migrations, settings and version is otherwise not run again.",
  },
  help: HELP_OPTION,
} as const satisfies CliOptions;

/** Where `review` looks for a base when --base is not given, in this order. */
export const DEFAULT_BASES: readonly string[] = ["origin/HEAD", "origin/main", "main", "master"];
