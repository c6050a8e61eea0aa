import type { MigrationSection, SourceFile } from "../model.js";
import { AUTO_DETECT, type DetectionResult } from "./detector.js";
import { buildMigration } from "./support/migration.js";
import { basename, dirname, isSqlFile, joinPath } from "./support/paths.js";
import { wholeFileSection } from "./support/sections.js";
import { compareVersions } from "./support/versions.js";
import { type Framework, GENERIC_LEAVE_TRANSACTION, SQL_CONCURRENT_INDEX } from "./framework.js";
import { type CounterpartFinder, listedFiles } from "./support/counterparts.js";

const SCRIPT_FOLDERS = ["deploy", "revert", "verify"] as const;
type ScriptKind = (typeof SCRIPT_FOLDERS)[number];

/** Where a script sits: `<top>/<deploy|revert|verify>/<change>.sql`. */
function scriptLocation(path: string): { top: string; kind: ScriptKind; change: string } | undefined {
  if (!isSqlFile(path)) return undefined;
  const parts = path.split("/");
  for (let i = parts.length - 2; i >= 0; i--) {
    const kind = SCRIPT_FOLDERS.find((folder) => folder === parts[i]);
    if (!kind) continue;
    return {
      top: parts.slice(0, i).join("/"),
      kind,
      change: parts
        .slice(i + 1)
        .join("/")
        .replace(/\.sql$/i, ""),
    };
  }
  return undefined;
}

/** A `deploy/` folder's `revert/` sibling; undefined for any other folder. */
function revertFolder(folder: string): string | undefined {
  return /(^|\/)deploy$/.test(folder) ? folder.replace(/deploy$/, "revert") : undefined;
}

/** A deploy script's revert script, `<top>/revert/<change>.sql` beside `<top>/deploy/<change>.sql`. */
const REVERT_SCRIPT: CounterpartFinder = {
  folders(path) {
    const revert = revertFolder(dirname(path));
    return revert === undefined ? [] : [revert];
  },
  files(path, listings) {
    const revert = revertFolder(dirname(path));
    if (revert === undefined) return [];
    const script = joinPath(revert, basename(path));
    return listedFiles(listings, revert).some((entry) => entry.path === script) ? [script] : [];
  },
};

/** The changes of a sqitch.plan in plan order (a reworked change counts where it was last planned). */
function plannedChanges(plan: string): Map<string, number> {
  const order = new Map<string, number>();
  let position = 0;
  for (const raw of plan.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("%") || line.startsWith("#") || line.startsWith("@")) continue;
    const change = line.split(/\s+/)[0];
    if (change) order.set(change, ++position);
  }
  return order;
}

interface Change {
  top: string;
  change: string;
  scripts: Partial<Record<ScriptKind, SourceFile>>;
}

/**
 * Sqitch: `sqitch.plan` lists the changes in order; each change has `deploy/<change>.sql` (up),
 * `revert/<change>.sql` (down) and `verify/<change>.sql` beside the plan. A change's version is
 * its position in the plan, zero-padded ("0003"), or its name when the plan is not among the
 * files. Scripts are read as sqitch's when a plan or a `revert/`/`verify/` sibling folder shows
 * (any `deploy/` script when forced). inTransaction: false, since sqitch adds no transaction of
 * its own; a script's own BEGIN … COMMIT is followed by the analyser, statement by statement.
 */
export const sqitchFramework: Framework<"sqitch"> = {
  id: "sqitch",
  paths: ["**/*.sql", "**/sqitch.plan", "**/deploy/*.sql"],
  counterparts: REVERT_SCRIPT,
  transaction: { wraps: false, optOut: null },
  texts: {
    addDown: "Write the `revert/` script",
    leaveTransaction: GENERIC_LEAVE_TRANSACTION,
    concurrentIndex: SQL_CONCURRENT_INDEX,
  },
  detect(files, context = AUTO_DETECT): DetectionResult {
    const plans = new Map(files.filter((file) => basename(file.path) === "sqitch.plan").map((file) => [dirname(file.path), file]));
    const located = files.flatMap((file) => {
      const location = scriptLocation(file.path);
      return location ? [{ file, ...location }] : [];
    });
    const topsWithSiblings = new Set(located.filter((script) => script.kind !== "deploy").map((script) => script.top));
    const changes = new Map<string, Change>();
    const claimed: string[] = [];
    for (const script of located) {
      const recognised = plans.has(script.top) || topsWithSiblings.has(script.top) || (context.forced && script.kind === "deploy");
      if (!recognised) continue;
      const key = `${script.top}\u0000${script.change}`;
      const change = changes.get(key) ?? { top: script.top, change: script.change, scripts: {} };
      change.scripts[script.kind] = script.file;
      changes.set(key, change);
      claimed.push(script.file.path);
    }
    for (const plan of plans.values()) claimed.push(plan.path);

    const planOrders = new Map([...plans].map(([top, plan]) => [top, plannedChanges(plan.text)]));
    const migrations = [...changes.values()].map((change) => {
      const position = planOrders.get(change.top)?.get(change.change);
      const { deploy, revert, verify } = change.scripts;
      const sections: MigrationSection[] = [];
      if (deploy) {
        sections.push(wholeFileSection(deploy, { direction: "up", language: "sql", inTransaction: false }));
      }
      if (revert) {
        sections.push(wholeFileSection(revert, { direction: "down", language: "sql", inTransaction: false }));
      }
      const own = [deploy, revert, verify].filter((file): file is SourceFile => file !== undefined);
      return buildMigration(
        {
          framework: "sqitch",
          version: position === undefined ? change.change : String(position).padStart(4, "0"),
          name: change.change,
          files: own.map((file) => file.path),
          folder: change.top,
          sections,
          rollback: "required",
        },
        own,
      );
    });
    migrations.sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : compareVersions(a.version, b.version)));
    return { migrations, claimed };
  },
};
