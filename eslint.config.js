// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

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

export default tseslint.config(
  { ignores: ["dist/**", "coverage/**", "node_modules/**", "bench/.out/**"] },
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
