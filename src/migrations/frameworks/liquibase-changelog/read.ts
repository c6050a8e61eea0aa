import type { Migration, SourceFile, UnreadPart } from "../../model.js";
import { listedFiles, type CounterpartFinder } from "../support/counterparts.js";
import { type Line, splitLines } from "../support/lines.js";
import { basename, dirname, hasExtension } from "../support/paths.js";
import { runsOnPostgres } from "./changes.js";
import { changeSetMigration, type ChangelogFile, type ChangelogNote } from "./changesets.js";
import { orderChangeSets, type ReadChangelog } from "./order.js";
import { readXmlChangelog, readYamlChangelog, type ChangeNode } from "./tree.js";

/** An XML or YAML file is a Liquibase changelog when its root is `databaseChangeLog`. */
export function isChangelog(file: SourceFile): boolean {
  if (hasExtension(file.path, "xml")) return /<(?:[A-Za-z_][\w.-]*:)?databaseChangeLog[\s>/]/.test(file.text);
  if (hasExtension(file.path, "yaml", "yml")) return /^databaseChangeLog\s*:/m.test(file.text);
  return false;
}

function languageOf(path: string): ChangelogFile["language"] {
  return hasExtension(path, "xml") ? "xml" : "yaml";
}

/**
 * Changelog parameters (`<property name value>`) that apply on PostgreSQL, from every changelog:
 * Liquibase properties are global unless marked otherwise, and master.xml usually defines them
 * for the files it includes (`type="${datetimeType}"`).
 */
function properties(changelogs: readonly ReadChangelog[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const { root } of changelogs) {
    for (const property of root.children) {
      if (property.name !== "property" || !runsOnPostgres(property.attributes.get("dbms"))) continue;
      const name = property.attributes.get("name");
      const value = property.attributes.get("value") ?? property.text?.value;
      if (name !== undefined && value !== undefined && !found.has(name)) found.set(name, value);
    }
  }
  return found;
}

function substitute(node: ChangeNode, values: ReadonlyMap<string, string>): void {
  const replace = (text: string) => (text.includes("${") ? text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => values.get(name.trim()) ?? whole) : text);
  for (const [key, value] of node.attributes) node.attributes.set(key, replace(value));
  if (node.text) node.text = { ...node.text, value: replace(node.text.value) };
  for (const child of node.children) substitute(child, values);
}

/** A changelog that does not parse: one migration that says so, where it breaks. */
function unreadable(file: SourceFile, error: { message: string; line: number }): Migration {
  const kind = languageOf(file.path) === "xml" ? "XML" : "YAML";
  return {
    framework: "liquibase",
    version: basename(file.path),
    name: basename(file.path),
    files: [file.path],
    folder: dirname(file.path),
    sections: [],
    rollback: "required",
    rollbackIssues: [],
    unread: [
      {
        path: file.path,
        line: error.line,
        severity: "error",
        message: `Liquibase cannot read this ${kind} changelog: ${error.message}; none of its changeSets is reviewed`,
      },
    ],
  };
}

/** Every changeSet of the XML and YAML changelogs given, in the order Liquibase runs them. */
export function readStructuredChangelogs(files: readonly SourceFile[]): Migration[] {
  const broken: Migration[] = [];
  const changelogs: ReadChangelog[] = [];
  const byPath = new Map(files.map((file) => [file.path, file]));
  for (const file of files) {
    const read = languageOf(file.path) === "xml" ? readXmlChangelog(file.text) : readYamlChangelog(file.text);
    if (read.error) broken.push(unreadable(file, read.error));
    else changelogs.push({ path: file.path, root: read.root });
  }
  const values = properties(changelogs);
  for (const changelog of changelogs) substitute(changelog.root, values);
  const ordered = orderChangeSets(changelogs);
  // Where each changeSet's lines end: at the next changeSet of its file.
  const nextChangeSetLine = new Map<ChangeNode, number>();
  for (const { root } of changelogs) {
    const changeSets = root.children.filter((child) => child.name === "changeSet");
    changeSets.forEach((changeSet, index) => {
      const next = changeSets[index + 1];
      if (next) nextChangeSetLine.set(changeSet, next.line);
    });
  }
  const migrations: Migration[] = [];
  const linesByPath = new Map<string, Line[]>();
  for (const { changelog, changeSet, folder } of ordered) {
    const source = byPath.get(changelog.path);
    if (!source) continue;
    const next = nextChangeSetLine.get(changeSet);
    let lines = linesByPath.get(source.path);
    if (!lines) {
      lines = splitLines(source.text);
      linesByPath.set(source.path, lines);
    }
    const endLine = next ?? lines.length + 1;
    const notes: ChangelogNote[] = [];
    const file: ChangelogFile = { path: source.path, text: source.text, language: languageOf(source.path) };
    const migration = changeSetMigration(changeSet, { file, folder, lines, endLine, notes });
    if (!migration) continue;
    if (notes.length > 0) migration.unread = notes.map((note): UnreadPart => ({ ...note, severity: "note" }));
    migrations.push(migration);
  }
  return [...broken, ...migrations];
}

/** Root changelog names: `master.xml`, `db.changelog-master.yaml`, `changelog.xml` … */
const ROOT_CHANGELOG = /^(?:db\.)?(?:changelog[-_.]?)?master\.(?:xml|ya?ml)$|^(?:db\.)?changelog\.(?:xml|ya?ml)$/i;

function isStructuredChangelogPath(path: string): boolean {
  return (
    hasExtension(path, "xml", "yaml", "yml") &&
    dirname(path)
      .split("/")
      .some((folder) => /liquibase|changelog/i.test(folder))
  );
}

/**
 * A changed XML/YAML changelog brings the root changelog beside it or one folder up
 * (config/liquibase/master.xml for config/liquibase/changelog/*.xml): the properties it defines
 * (`${datetimeType}`) give the changes their types, and its includes their order.
 */
export const ROOT_CHANGELOG_COUNTERPARTS: CounterpartFinder = {
  folders: (path) => (isStructuredChangelogPath(path) && dirname(path) !== "" ? [dirname(dirname(path))] : []),
  files(path, listings) {
    if (!isStructuredChangelogPath(path)) return [];
    const folders = dirname(path) === "" ? [""] : [dirname(path), dirname(dirname(path))];
    return folders.flatMap((folder) =>
      listedFiles(listings, folder)
        .filter((entry) => entry.path !== path && ROOT_CHANGELOG.test(entry.name))
        .map((entry) => entry.path),
    );
  },
};
