import type { Migration } from "../../model.js";

const CHUNK = /\d+|\D+/g;

function compareNumbers(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, "");
  const y = b.replace(/^0+(?=\d)/, "");
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Version order as the tools apply it: digit runs compare as numbers ("1.10" after "1.9"), the rest as text. */
export function compareVersions(a: string, b: string): number {
  const left = a.match(CHUNK) ?? [];
  const right = b.match(CHUNK) ?? [];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] ?? "";
    const y = right[i] ?? "";
    const bothNumbers = /^\d/.test(x) && /^\d/.test(y);
    const order = bothNumbers ? compareNumbers(x, y) : x < y ? -1 : x > y ? 1 : 0;
    if (order !== 0) return order;
  }
  if (left.length !== right.length) return left.length - right.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** By folder, then version, then first file: the order in which a tool applies them. */
export function sortMigrations(migrations: Migration[]): Migration[] {
  return migrations.sort((a, b) => compareText(a.folder, b.folder) || compareVersions(a.version, b.version) || compareText(a.files[0] ?? "", b.files[0] ?? ""));
}
