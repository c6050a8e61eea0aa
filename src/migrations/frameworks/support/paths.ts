/** Path arithmetic on repository paths (forward slashes, no leading slash). */

export function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function joinPath(folder: string, name: string): string {
  return folder === "" ? name : `${folder}/${name}`;
}

/** Whether the file name ends with one of the extensions (without dot), ignoring case. */
export function hasExtension(path: string, ...extensions: readonly string[]): boolean {
  const lower = path.toLowerCase();
  return extensions.some((extension) => lower.endsWith(`.${extension}`));
}

export function isSqlFile(path: string): boolean {
  return hasExtension(path, "sql");
}

/** Whether one of the folders on the path (not the file name) is called `name`. */
export function hasFolderNamed(path: string, name: string): boolean {
  return dirname(path).split("/").includes(name);
}
