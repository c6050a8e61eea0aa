/**
 * A file's text with the position arithmetic the parser needs: libpg-query speaks in UTF-8 byte
 * offsets, JavaScript strings in UTF-16 code units, and GitHub and people in 1-based lines.
 */
export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column, in characters (UTF-16 code units) of that line. */
  column: number;
}

/**
 * The indexes are built on the first lookup that needs them, not in the constructor: detection
 * and the fix check build a SourceText for every file they read again, and most of those never
 * ask for a line or a byte offset.
 */
export class SourceText {
  /** Char offset at which each line starts; built by the first line lookup. */
  private starts: number[] | undefined;
  /** UTF-8 length of the text; counted by the first byte lookup. */
  private bytes: number | undefined;
  /**
   * Char offset of each byte offset; null when the text is ASCII (then they are equal), undefined
   * until the first byte lookup.
   */
  private byteMap: Uint32Array | null | undefined;

  constructor(
    readonly path: string,
    readonly text: string,
  ) {}

  get byteLength(): number {
    // Counted, not encoded: the bytes themselves are never needed.
    this.bytes ??= Buffer.byteLength(this.text, "utf8");
    return this.bytes;
  }

  private get lineStarts(): number[] {
    if (this.starts) return this.starts;
    const starts = [0];
    // indexOf scans natively, several times faster than a loop over charCodeAt.
    for (let at = this.text.indexOf("\n"); at >= 0; at = this.text.indexOf("\n", at + 1)) starts.push(at + 1);
    this.starts = starts;
    return starts;
  }

  private get charOfByte(): Uint32Array | null {
    if (this.byteMap !== undefined) return this.byteMap;
    const text = this.text;
    const byteLength = this.byteLength;
    if (byteLength === text.length) {
      this.byteMap = null;
      return null;
    }
    const map = new Uint32Array(byteLength + 1);
    let byte = 0;
    for (let char = 0; char < text.length; char++) {
      const code = text.codePointAt(char) ?? 0;
      const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
      for (let k = 0; k < size; k++) map[byte + k] = char;
      byte += size;
      if (code >= 0x10000) char++; // the low surrogate of the same code point
    }
    map[byteLength] = text.length;
    this.byteMap = map;
    return map;
  }

  /** Char offset of a UTF-8 byte offset. */
  charAt(byteOffset: number): number {
    const map = this.charOfByte;
    if (!map) return Math.min(byteOffset, this.text.length);
    return map[Math.max(0, Math.min(byteOffset, this.byteLength))] ?? this.text.length;
  }

  /** UTF-8 byte offset of a char offset. */
  byteAt(charOffset: number): number {
    if (!this.charOfByte) return charOffset;
    return Buffer.byteLength(this.text.slice(0, charOffset), "utf8");
  }

  position(charOffset: number): Position {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= charOffset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: charOffset - (starts[lo] ?? 0) + 1 };
  }

  /** Char offset where a 1-based line starts (the end of the text past the last line). */
  lineStart(line: number): number {
    return this.lineStarts[line - 1] ?? this.text.length;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }
}
