/**
 * Where a review comment may sit in a pull request's diff. GitHub rejects a whole review (HTTP
 * 422, without saying which comment) when one comment points outside the diff, so every anchor is
 * checked here against the file's `patch` first. Only RIGHT-side lines are used: lines added or
 * kept as context inside a hunk. Pure: the patch text in, line numbers out.
 */

export interface DiffAnchors {
  /** RIGHT-side line numbers inside a hunk (added or context lines). */
  lines: Set<number>;
  /** The hunk (0-based, in patch order) each of those lines belongs to. */
  hunkOf: Map<number, number>;
}

export interface Anchor {
  /** The line the comment is on (the last line of a multi-line comment). */
  line: number;
  /** The first line of a multi-line comment: only ever < line and in line's hunk. */
  startLine?: number;
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * The RIGHT-side lines of a GitHub pull-request file `patch`. A file without a patch (binary,
 * too large for GitHub to show) or a deleted file has none.
 */
export function commentableLines(patch: string | undefined): DiffAnchors {
  const lines = new Set<number>();
  const hunkOf = new Map<number, number>();
  if (!patch) return { lines, hunkOf };
  let hunk = -1;
  let right = 0;
  let oldLeft = 0;
  let newLeft = 0;
  for (const raw of patch.split("\n")) {
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const header = HUNK_HEADER.exec(text);
    if (header) {
      hunk++;
      right = Number(header[3]);
      oldLeft = header[2] === undefined ? 1 : Number(header[2]);
      newLeft = header[4] === undefined ? 1 : Number(header[4]);
      continue;
    }
    if (hunk < 0 || (oldLeft <= 0 && newLeft <= 0)) continue;
    const marker = text.charAt(0);
    if (marker === "\\") continue; // "\ No newline at end of file"
    if (marker === "-") {
      oldLeft--;
      continue;
    }
    if (marker === "+" || marker === " " || text === "") {
      // An empty line inside a hunk is a context line whose trailing space was stripped.
      if (newLeft > 0) {
        lines.add(right);
        hunkOf.set(right, hunk);
        right++;
        newLeft--;
      }
      if (marker !== "+") oldLeft--;
    }
  }
  return { lines, hunkOf };
}

/**
 * Where to comment on a finding: its end line when the diff shows it, else the last line of its
 * range the diff shows; undefined when none of it is in the diff. A multi-line anchor is given
 * only when the finding's whole range lies in one hunk (GitHub rejects start_line == line and
 * ranges across hunks).
 */
export function anchorFor(finding: { line: number; endLine: number }, anchors: DiffAnchors): Anchor | undefined {
  const first = Math.min(finding.line, finding.endLine);
  const last = Math.max(finding.line, finding.endLine);
  let line: number | undefined;
  for (let n = last; n >= first; n--) {
    if (anchors.lines.has(n)) {
      line = n;
      break;
    }
  }
  if (line === undefined) return undefined;
  if (line !== last || first === last) return { line };
  const hunk = anchors.hunkOf.get(last);
  for (let n = first; n < last; n++) {
    if (!anchors.lines.has(n) || anchors.hunkOf.get(n) !== hunk) return { line };
  }
  return { line, startLine: first };
}

/** The patch GitHub gives for a file a pull request adds: one hunk, every line an addition. */
export function addedFilePatch(text: string): string {
  const lines = text.replace(/\n$/, "").split("\n");
  return `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`;
}
