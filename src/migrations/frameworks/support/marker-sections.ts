import type { SourceText } from "../../../sql/source-text.js";
import type { Direction, MigrationSection } from "../../model.js";
import type { Line } from "./lines.js";
import { rangeSection } from "./sections.js";

/** A line that opens an up or a down section in a single-file format (dbmate, goose). */
export interface SectionMarker {
  line: Line;
  direction: Direction;
  inTransaction: boolean;
}

/**
 * Each marker's section is every line after it up to the next marker (or the end of the file),
 * blank lines included. A marker followed directly by another marker has an empty section.
 */
export function sectionsBetweenMarkers(source: SourceText, markers: readonly SectionMarker[]): MigrationSection[] {
  return markers.map((marker, index) => {
    const next = markers[index + 1];
    const start = marker.line.next;
    const end = next ? next.line.start : source.text.length;
    return rangeSection(source, start, end, marker.line.number, {
      direction: marker.direction,
      language: "sql",
      inTransaction: marker.inTransaction,
    });
  });
}
