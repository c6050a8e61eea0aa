/**
 * Where a repository keeps its configuration, in a module of its own: a local review names the
 * file before it knows whether it needs the configuration's schema (zod) to validate one.
 */
export const REPO_CONFIG_FILE = ".github/data-engineer.yml";
