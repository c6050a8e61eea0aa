/**
 * `npm run bundle`: one esbuild bundle per entry point, so that a start reads a handful of files
 * instead of ~700 modules, and compiles them from V8's compile cache after the first run.
 *
 *   dist/bundle/   the `data-engineer` binary (data-engineer.js) and the server (server.js), with
 *                  a chunk per CLI command (each is imported only when it runs) and one for
 *                  libpg-query (imported only when a file is parsed). Packages stay in
 *                  node_modules, except libpg-query (see below).
 *   dist-action/   the GitHub Action (index.js): everything bundled, committed to the repository,
 *                  so that the Action's step installs and builds nothing.
 *
 * Each bundle is started by a tiny entry that turns the compile cache on before the bundle is
 * compiled (module.enableCompileCache, Node >= 22.1: a no-op where unavailable).
 *
 * libpg-query's glue finds its WASM file next to itself (`__dirname + "/libpg-query.wasm"`), so
 * it is bundled, with `__dirname` meaning the output file's folder, and the WASM file is copied
 * there. PGlite finds its data files and contrib modules in its package folder, and the replay
 * starts it in a child process from a script beside the code: it stays a package (external), and
 * that script is an entry of its own, next to the chunks.
 *
 * `node scripts/bundle.js [--only cli|action] [--out-cli DIR] [--out-action DIR]` (plain JavaScript:
 * it runs on every Node the package supports, type stripping or not).
 * esbuild's output is deterministic for the same inputs and esbuild version, which is what lets
 * test/bundle.test.ts check that the committed dist-action/ is current by rebuilding it.
 */
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const ROOT = resolve(import.meta.dirname, "..");
const require = createRequire(import.meta.url);
const PARSER_DIR = dirname(require.resolve("libpg-query"));
const PARSER_WASM = join(PARSER_DIR, "libpg-query.wasm");
/** libpg-query's ES module build: its CommonJS one (the package's "main") hides its exports from a bundled `import()`. */
const PARSER_ESM = join(PARSER_DIR, "index.js");

/** pino and the packages it loads when it starts (its package.json's dependencies, and theirs). */
const PINO_PACKAGES = [
  "pino",
  "@pinojs/redact",
  "atomic-sleep",
  "on-exit-leak-free",
  "pino-abstract-transport",
  "pino-std-serializers",
  "process-warning",
  "quick-format-unescaped",
  "real-require",
  "safe-stable-stringify",
  "sonic-boom",
  "thread-stream",
];

/** CommonJS glue inside an ESM bundle: its `require` of Node's own modules and its `__dirname`. */
const COMMONJS_SHIM = 'import { createRequire as __deCreateRequire } from "node:module";\nconst require = __deCreateRequire(import.meta.url);';

/** @type {import("esbuild").BuildOptions} */
const COMMON = {
  absWorkingDir: ROOT,
  // Paths in the output (esbuild names each CommonJS module by it) stay ./node_modules/… where
  // node_modules is a link: the same bytes in every checkout.
  preserveSymlinks: true,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node22",
  splitting: true,
  // Flat: the worker script and the WASM file are found next to the module that uses them.
  entryNames: "[name]",
  chunkNames: "chunk-[hash]",
  banner: { js: COMMONJS_SHIM },
  define: { __dirname: "import.meta.dirname", __filename: "import.meta.filename" },
  // Probot and its peers read their own package.json and files: packages stay where npm put them,
  // except these, which the bundles carry (the parser, with its WASM beside it).
  logLevel: "warning",
  legalComments: "none",
  metafile: true,
};

/** The tiny entry: compile cache on, then the bundle. `call` runs its exported start function. */
/**
 * V8's flags for the binary, on its `#!` line (Node takes no V8 flag from NODE_OPTIONS but a few,
 * and v8.setFlagsFromString after start measured no effect on either): WebAssembly is compiled by
 * Liftoff only, never recompiled by TurboFan. libpg-query's grammar function and PGlite's Postgres
 * are large, and a command's run is too short to earn their optimised recompile back: the same
 * output for less CPU and memory (README, "Performance"). The young generation is capped at 16 MB
 * semi-spaces: V8 sizes them from the machine's memory, and a lint of a long folder (parse trees
 * that live for one migration) then grew them to a peak RSS of 310-340 MB on the 25k-statement
 * corpus, 185-195 MB with the cap, for the same CPU time. JavaScript is not optimised by TurboFan
 * either (`--no-opt`, an alias of `--no-turbofan`; Maglev still is) and V8 runs no background threads
 * (`--single-threaded`: garbage collection and compilation on the main thread): a command lives
 * seconds, and the optimising compilers' and the GC helpers' threads cost more CPU than they save.
 * On the 25k-statement corpus, six alternating cold runs: 4.52 s CPU as before, 3.75 s with
 * `--no-opt`, 3.48 s with both (same output); a PGlite replay the same CPU and wall time.
 */
export const V8_FLAGS = "--liftoff-only --max-semi-space-size=16 --no-opt --single-threaded";

/**
 * @param {string} bundle
 * @param {string} [call]
 * @param {string} [shebang]
 * @returns {string}
 */
function tinyEntry(bundle, call, shebang = "#!/usr/bin/env node") {
  const start = call ? `const { ${call} } = await import("./${bundle}");\nawait ${call}();\n` : `await import("./${bundle}");\n`;
  return [
    shebang,
    "// Compiled code of the bundle is cached on disk (module.enableCompileCache, Node >= 22.1) before the bundle is compiled.",
    'import module from "node:module";',
    "module.enableCompileCache?.();",
    start,
  ].join("\n");
}

/** @param {string} outdir */
async function bundleCli(outdir) {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    ...COMMON,
    outdir,
    entryPoints: {
      cli: "src/cli/main.ts",
      "pglite-worker": "src/replay/pglite-worker.ts",
      // The analysis pool (src/review/analysis-pool.ts) starts it from beside the module that spawns it.
      "analysis-worker": "src/review/analysis-worker.ts",
    },
    // The server is a build of its own (bundleServer, below), into the same folder.
    // Every package but these stays in node_modules (the npm package and the image have them):
    // - yaml is read by the frameworks' detection, which every lint loads (its read plan, before
    //   the run cache can answer): loaded from node_modules it is ~30 CommonJS files (~30 ms CPU a
    //   start); bundled, its code comes from the compile cache with the chunk.
    // - zod (the configuration's schema) and picomatch (the paths' globs) load on every review and
    //   before the server's /readyz: as ~20 ES modules resolved and read one by one they cost ~50 ms
    //   CPU a run (issue 20, a review answered from the result cache). No package we keep external
    //   takes our zod schemas.
    // - prom-client and the @opentelemetry/api it requires (/metrics) load before the server's
    //   /readyz too (with zod and picomatch ~45 files; CPU to /readyz measured ~600 -> ~520 ms,
    //   bench:server, when the server was an entry of this build).
    // - pino, with the packages it loads, is only the local review's logger (the server logs
    //   through Probot's): ~13 ms of CommonJS resolution a review, bundled (the Action bundles it too).
    plugins: [
      fsWithoutFacade(),
      externalPackagesExcept(["libpg-query", "@pgsql/types", "yaml", "zod", "prom-client", "@opentelemetry/api", "picomatch", ...PINO_PACKAGES]),
    ],
  });
  await bundleServer(outdir);
  copyFileSync(PARSER_WASM, join(outdir, "libpg-query.wasm"));
  // `env -S` splits the line into the command and its flags (coreutils >= 8.30, BSD and macOS env).
  writeFileSync(join(outdir, "data-engineer.js"), tinyEntry("cli.js", "runCli", `#!/usr/bin/env -S node ${V8_FLAGS}`), { mode: 0o755 });
  // npm start and the image's CMD pass V8_FLAGS on node's command line.
  writeFileSync(join(outdir, "start-server.js"), tinyEntry("server.js"), { mode: 0o755 });
}

/**
 * The server (server.js and its chunks, beside the binary's: the analysis worker it starts is the
 * binary build's), a build of its own because what it loads before it answers /readyz is mostly
 * Probot (issue 20: /readyz within 0.5 s of start):
 * - Probot and the packages it depends on, and prom-client's (/metrics), are bundled: from
 *   node_modules they are ~300 files, ~100 of them ES modules linked one by one, and the entry
 *   point imports all of Probot, its setup mode too (the YAML parser, pino-pretty), ~250 ms CPU;
 *   bundled, esbuild keeps what the server imports and the compile cache holds it. None of them
 *   reads a file of its own on the server's path (Probot's static files are JavaScript modules;
 *   pino's and thread-stream's worker scripts are for pino transports, which Probot does not use).
 * - Node's modules are imported without their ES module facade (see `withoutFacade`): node:http's
 *   facade alone reads its lazy WebSocket exports, which load all of undici (~70 ms CPU) before the
 *   first request; GitHub's requests load it when they first fetch.
 * Packages the server loads on first use (the agent's Gemini SDK, pg, tar, …, see
 * test/server-lazy-packages.test.ts) and those that read their own files (PGlite, bullmq's Lua
 * scripts) stay in node_modules.
 * @param {string} outdir
 */
async function bundleServer(outdir) {
  const result = await build({
    ...COMMON,
    outdir,
    entryPoints: { server: "src/main.ts" },
    plugins: [
      withoutFacade(["http", "https", "tls", "net", "child_process", "util", "zlib", "stream", "worker_threads", "v8", "assert", "process"]),
      externalPackagesExcept(["libpg-query", "@pgsql/types", "yaml", "zod", "picomatch", ...PINO_PACKAGES, ...dependencyTree(["probot", "prom-client"])]),
    ],
  });
  // A namespace import's property that the facade-free module lacks (a lazy getter) would be undefined at run time.
  const undefinedImports = result.warnings.filter((warning) => warning.id === "import-is-undefined");
  if (undefinedImports.length > 0) throw new Error(`the server bundle reads exports that do not exist:\n${undefinedImports.map((w) => w.text).join("\n")}`);
}

/**
 * The packages `roots` depend on, transitively, themselves included (package.json's dependencies,
 * as npm installed them at the top of node_modules).
 * @param {readonly string[]} roots
 * @returns {string[]}
 */
function dependencyTree(roots) {
  const seen = new Set();
  /** @param {string} name */
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const manifest = JSON.parse(readFileSync(join(ROOT, "node_modules", name, "package.json"), "utf8"));
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency);
  };
  for (const root of roots) visit(root);
  return [...seen].sort();
}

/** @param {string} outdir */
async function bundleAction(outdir) {
  rmSync(outdir, { recursive: true, force: true });
  await build({
    ...COMMON,
    outdir,
    // One file: the Action runs one command, so chunks per command would only add files.
    splitting: false,
    entryPoints: { main: "src/cli/action.ts", "pglite-worker": "src/replay/pglite-worker.ts" },
    // PGlite (27 MB of WASM, data files and contrib modules) is not committed: see src/cli/action.ts.
    plugins: [externalPackagesExcept([], ["@electric-sql/pglite"])],
    minifyWhitespace: true,
    minifySyntax: true,
  });
  copyFileSync(PARSER_WASM, join(outdir, "libpg-query.wasm"));
  writeFileSync(join(outdir, "index.js"), tinyEntry("main.js", "runAction"));
}

/**
 * `import { … } from "node:fs"` in an ES module builds node:fs's ES module facade, which reads every
 * export, its lazy getters included: ReadStream and `promises` load Node's streams and fs/promises
 * (~20 ms CPU a start, measured on Node 24, for modules nothing here uses). The bundle's imports of
 * node:fs read the functions off `process.getBuiltinModule("node:fs")` instead (Node >= 22.3), the
 * same objects without the facade; a getter is not offered (an import of one fails the build).
 * @returns {import("esbuild").Plugin}
 */
function fsWithoutFacade() {
  return withoutFacade(["fs"]);
}

/**
 * `fsWithoutFacade` for each of Node's modules named (without `node:`).
 * @param {readonly string[]} modules
 * @returns {import("esbuild").Plugin}
 */
function withoutFacade(modules) {
  /** @param {string} name */
  const contents = (name) => {
    const mod = require(`node:${name}`);
    const names = Object.getOwnPropertyNames(mod).filter(
      (key) => /^[A-Za-z_$][\w$]*$/.test(key) && key !== "default" && "value" in (Object.getOwnPropertyDescriptor(mod, key) ?? {}),
    );
    const local = name === "fs" ? "fs" : "mod";
    return [
      `const ${local} = process.getBuiltinModule("node:${name}");`,
      `export default ${local};`,
      ...names.map((key) => `export const ${key} = ${local}.${key};`),
    ].join("\n");
  };
  const filter = new RegExp(`^(?:node:)?(?:${modules.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})$`);
  return {
    name: modules.length === 1 && modules[0] === "fs" ? "fs-without-facade" : "builtins-without-facade",
    setup(plugin) {
      plugin.onResolve({ filter }, (args) => ({ path: `node:${args.path.replace(/^node:/, "")}`, namespace: "fs-without-facade" }));
      plugin.onLoad({ filter: /.*/, namespace: "fs-without-facade" }, (args) => ({ contents: contents(args.path.slice("node:".length)), loader: "js" }));
    },
  };
}

/**
 * Marks bare imports external: every package but `bundled`, or (given `external`) only those.
 * @param {readonly string[]} bundled
 * @param {readonly string[]} [external]
 * @returns {import("esbuild").Plugin}
 */
function externalPackagesExcept(bundled, external) {
  /** @param {string} path */
  const packageOf = (path) => (path.startsWith("@") ? path.split("/").slice(0, 2).join("/") : (path.split("/")[0] ?? path));
  return {
    name: "external-packages",
    setup(plugin) {
      // `#name` is a package's own import map (universal-github-app-jwt's `#crypto`): esbuild resolves it in that package.
      plugin.onResolve({ filter: /^[^./#]/ }, (args) => {
        if (args.path.startsWith("node:")) return { path: args.path, external: true };
        if (args.path === "libpg-query") return { path: PARSER_ESM };
        const name = packageOf(args.path);
        const isExternal = external ? external.includes(name) : !bundled.includes(name);
        return isExternal ? { path: args.path, external: true } : undefined;
      });
    },
  };
}

const { values } = parseArgs({ options: { only: { type: "string" }, "out-action": { type: "string" }, "out-cli": { type: "string" } } });
if (values.only !== "action") await bundleCli(resolve(ROOT, values["out-cli"] ?? "dist/bundle"));
if (values.only !== "cli") await bundleAction(resolve(ROOT, values["out-action"] ?? "dist-action"));
