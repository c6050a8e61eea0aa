import YAML from "yaml";
import { RepoConfigSchema } from "../config/repo-config.js";
import type { LoadedRepoConfig, RepoConfigOrigin } from "../github/repo-config.js";
import { codeBlock } from "../report/inline-comments.js";
import { inlineCode } from "../report/markdown.js";

/**
 * `/data-engineer config`: the configuration in effect and where each top-level value comes from.
 * A configuration file is used whole (the repository's, else the organisation's), so a key comes
 * from that file when the file sets it, and is the default otherwise.
 */

const ORIGIN_LABEL: Record<Exclude<RepoConfigOrigin, "default">, string> = {
  repository: "the repository's file",
  organisation: "the organisation's `.github` repository",
};

export function renderConfigReport(input: LoadedRepoConfig): string {
  const written = input.data !== null && typeof input.data === "object" ? (input.data as Record<string, unknown>) : {};
  const from = (key: string): string => (input.origin !== "default" && Object.hasOwn(written, key) ? ORIGIN_LABEL[input.origin] : "default");
  const config = input.config as Record<string, unknown>;
  const rows = Object.keys(RepoConfigSchema.shape).map((key) => `| ${inlineCode(key)} | ${from(key)}${config[key] === undefined ? " (not set)" : ""} |`);
  const where =
    input.origin === "default" || input.source === undefined
      ? "No `.github/data-engineer.yml` was found on the default branch, nor in the organisation's `.github` repository: every value is the default."
      : `Read from ${inlineCode(input.source)} on its default branch (${ORIGIN_LABEL[input.origin]}); keys it does not set have their defaults.`;
  return [
    "here is the configuration in effect for this repository.",
    "",
    where,
    "",
    "| Key | From |",
    "| --- | --- |",
    ...rows,
    "",
    codeBlock("yaml", YAML.stringify(input.config, { sortMapEntries: false })),
  ].join("\n");
}
