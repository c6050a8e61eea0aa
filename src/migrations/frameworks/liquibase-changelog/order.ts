import { dirname } from "../support/paths.js";
import { booleanAttribute, type ChangeNode } from "./tree.js";

/**
 * The order Liquibase runs changeSets in: a root changelog (master.xml, one no other changelog
 * includes) runs its changeSets and its `include`/`includeAll` files in document order. Only the
 * files given are known; an include of another file is skipped. The roots run in path order.
 */

export interface ReadChangelog {
  path: string;
  root: ChangeNode;
}

export interface OrderedChangeSet {
  changelog: ReadChangelog;
  changeSet: ChangeNode;
  /** The folder of the root changelog that reached it: migrations are ordered within one folder. */
  folder: string;
}

function normalize(path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/");
}

/**
 * The changelogs an `include` or `includeAll` names: relative to the including file with
 * `relativeToChangelogFile`, else a classpath path (`config/liquibase/…` under
 * src/main/resources), matched as a suffix of the repository path.
 */
function targets(include: ChangeNode, from: string, byPath: ReadonlyMap<string, ReadChangelog>): ReadChangelog[] {
  const written = (include.attributes.get(include.name === "include" ? "file" : "path") ?? "").replace(/^classpath\*?:/, "");
  const relative = booleanAttribute(include, "relativeToChangelogFile") === true;
  const wanted = normalize(relative ? `${dirname(from)}/${written}` : written);
  if (wanted === "") return [];
  const matches = (path: string) => (relative ? path === wanted : path === wanted || path.endsWith(`/${wanted}`));
  if (include.name === "include") {
    const found = [...byPath.keys()].find(matches);
    return found ? [byPath.get(found) as ReadChangelog] : [];
  }
  // includeAll: every changelog under the folder, in path order (Liquibase's default comparator).
  const under = (folder: string) => matches(folder) || folder.startsWith(`${wanted}/`) || (!relative && folder.includes(`/${wanted}/`));
  return [...byPath.values()].filter((changelog) => under(dirname(changelog.path))).sort((a, b) => (a.path < b.path ? -1 : 1));
}

export function orderChangeSets(changelogs: readonly ReadChangelog[]): OrderedChangeSet[] {
  const byPath = new Map(changelogs.map((changelog) => [changelog.path, changelog]));
  const included = new Set<string>();
  for (const changelog of changelogs) {
    for (const child of changelog.root.children) {
      if (child.name === "include" || child.name === "includeAll")
        for (const target of targets(child, changelog.path, byPath)) if (target !== changelog) included.add(target.path);
    }
  }
  const ordered: OrderedChangeSet[] = [];
  const visited = new Set<string>();
  const visit = (changelog: ReadChangelog, folder: string) => {
    if (visited.has(changelog.path)) return;
    visited.add(changelog.path);
    for (const child of changelog.root.children) {
      if (child.name === "changeSet") ordered.push({ changelog, changeSet: child, folder });
      else if (child.name === "include" || child.name === "includeAll") for (const target of targets(child, changelog.path, byPath)) visit(target, folder);
    }
  };
  const sorted = [...changelogs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const root of sorted) if (!included.has(root.path)) visit(root, dirname(root.path));
  // Changelogs only reachable through a cycle of includes: read them in path order.
  for (const changelog of sorted) visit(changelog, dirname(changelog.path));
  return ordered;
}
