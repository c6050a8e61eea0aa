// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import layersPlugin from "./tools/eslint-plugin-layers.js";

/** Only src/github/ talks to GitHub; domain modules stay free of Probot and Octokit. */
const githubClientImports = {
  paths: [
    { name: "@octokit/rest", message: "GitHub calls live in src/github/ only." },
    { name: "@octokit/core", message: "GitHub calls live in src/github/ only." },
  ],
  patterns: [{ group: ["@octokit/*", "octokit"], message: "GitHub calls live in src/github/ only." }],
};
const probotImports = {
  paths: [{ name: "probot", message: "Only src/app.ts, src/server.ts, src/handlers/ and src/github/ may use Probot." }],
  patterns: githubClientImports.patterns,
};

/**
 * The layers of src/, top first. A module imports from its own unit (a folder of src/, or a file at
 * its root) and from any layer below its own; never from a layer above, never from another unit of
 * its own layer. The order follows the review's flow (DESIGN.md, "Dependencies point one way":
 * handlers → jobs → review → the domain → report) and the imports that exist today:
 * - the CLI drives `ci` (the GitHub Action runs the same review as `data-engineer review --github`);
 * - the job worker runs slash commands, which start reviews, so commands sit between jobs and review;
 * - `github` and `agent` are the two adapters the review calls; neither knows the other;
 * - `git` reads a local repository for the CLI and the agent's workspace;
 * - `report` renders what the analysis found, so it sits above `replay`, `rules` and `sql`, whose
 *   finding types and lock modes it prints (DESIGN.md draws it last: its inputs are plain data);
 * - `config` holds the analysis settings the rules read, and names frameworks from `migrations`;
 * - `ops` (metrics) and `errors` are used from everywhere, so they import (almost) nothing.
 * `src/cli`'s own layer is above the server's entry files because nothing in the app starts the CLI.
 */
export const LAYERS = [
  { name: "process entry", modules: ["main.ts", "register.ts"] },
  { name: "server", modules: ["server.ts"] },
  // What `npm start` checks of its environment before it serves: the agent's and the queue's settings.
  { name: "server environment", modules: ["server-env.ts"] },
  { name: "app", modules: ["app.ts"] },
  { name: "cli", modules: ["cli"] },
  { name: "events", modules: ["handlers", "ci"] },
  { name: "jobs", modules: ["jobs"] },
  { name: "commands", modules: ["commands"] },
  { name: "review", modules: ["review"] },
  { name: "adapters", modules: ["github", "agent"] },
  { name: "git", modules: ["git"] },
  { name: "report", modules: ["report"] },
  { name: "replay", modules: ["replay"] },
  { name: "rules", modules: ["rules"] },
  { name: "config", modules: ["config"] },
  { name: "migrations", modules: ["migrations"] },
  { name: "sql", modules: ["sql"] },
  { name: "ops", modules: ["ops"] },
  // Rule ids import nothing, so everything (the config's validation of `rules:` keys included) may name them.
  { name: "ids", modules: ["ids"] },
  { name: "errors", modules: ["errors.ts"] },
  // Where the package's own files are (package.json, agents/, docs/), from any layout of the code.
  { name: "package files", modules: ["package-files.ts"] },
];

/**
 * Upward imports that remain in files their owners are changing in parallel (issue 15). Each names
 * the fix; the lead empties this list as the fixes merge. test/layering/layers.test.ts fails on an
 * entry whose import no longer exists or no longer runs upward, so the list cannot go stale.
 */
export const ALLOWED_UPWARD_IMPORTS = [];

export default tseslint.config(
  { ignores: ["dist/**", "dist-action/**", "coverage/**", "node_modules/**", "bench/.out/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/only-throw-error": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-console": "error",
      eqeqeq: ["error", "smart"],
    },
  },
  {
    files: ["src/**/*.ts"],
    plugins: { layers: layersPlugin },
    rules: { "layers/no-upward-import": ["error", { root: "src", layers: LAYERS, allow: ALLOWED_UPWARD_IMPORTS }] },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/github/**", "src/handlers/**", "src/app.ts", "src/server.ts"],
    rules: { "no-restricted-imports": ["error", probotImports] },
  },
  {
    files: ["src/handlers/**/*.ts", "src/app.ts", "src/server.ts"],
    rules: { "no-restricted-imports": ["error", githubClientImports] },
  },
  {
    // Tests and benchmarks drive fixtures of unknown shape; the CLI writes to the terminal.
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: { "@typescript-eslint/no-unsafe-assignment": "off", "@typescript-eslint/no-unsafe-member-access": "off" },
  },
  { files: ["src/cli/**/*.ts", "bench/**/*.ts"], rules: { "no-console": "off" } },
  { files: ["**/*.js"], ...tseslint.configs.disableTypeChecked },
);
