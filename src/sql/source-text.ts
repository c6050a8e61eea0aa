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

export class SourceText {
  /** Char offset at which each line starts. */
  private readonly lineStarts: number[] = [0];
  /** Char offset of each byte offset, or undefined when the text is ASCII (then they are equal). */
  private readonly charOfByte: Uint32Array | undefined;
  readonly byteLength: number;

  constructor(
    readonly path: string,
    readonly text: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    // Counted, not encoded: the bytes themselves are never needed.
    this.byteLength = Buffer.byteLength(text, "utf8");
    if (this.byteLength !== text.length) {
      const map = new Uint32Array(this.byteLength + 1);
      let byte = 0;
      for (let char = 0; char < text.length; char++) {
        const code = text.codePointAt(char) ?? 0;
        const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
        for (let k = 0; k < size; k++) map[byte + k] = char;
        byte += size;
        if (code >= 0x10000) char++; // the low surrogate of the same code point
      }
      map[this.byteLength] = text.length;
      this.charOfByte = map;
    }
  }

  /** Char offset of a UTF-8 byte offset. */
  charAt(byteOffset: number): number {
    if (!this.charOfByte) return Math.min(byteOffset, this.text.length);
    return this.charOfByte[Math.max(0, Math.min(byteOffset, this.byteLength))] ?? this.text.length;
  }

  /** UTF-8 byte offset of a char offset. */
  byteAt(charOffset: number): number {
    if (!this.charOfByte) return charOffset;
    return Buffer.byteLength(this.text.slice(0, charOffset), "utf8");
  }

  position(charOffset: number): Position {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= charOffset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: charOffset - (this.lineStarts[lo] ?? 0) + 1 };
  }

  /** Char offset where a 1-based line starts (the end of the text past the last line). */
  lineStart(line: number): number {
    return this.lineStarts[line - 1] ?? this.text.length;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }
}
