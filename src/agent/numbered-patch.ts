/**
 * A unified diff with the new file's line numbers written on every line, so that the model does
 * not have to count from the `@@` headers (it counted wrong often enough to put findings on the
 * wrong statement). Added and unchanged lines carry their number in the new version; removed lines
 * carry none, since no finding can sit on them.
 */

const HUNK = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

export function numberPatch(patch: string): string {
  let next: number | undefined;
  return patch
    .split("\n")
    .map((line) => {
      const hunk = HUNK.exec(line);
      if (hunk) {
        next = Number(hunk[1]);
        return line;
      }
      if (next === undefined || line.startsWith("\\")) return line;
      const mark = line[0];
      if (mark === "-") return `      - ${line.slice(1)}`;
      if (mark === "+" || mark === " ") return `${String(next++).padStart(5)} ${mark === "+" ? "+" : " "} ${line.slice(1)}`;
      return line;
    })
    .join("\n");
}
