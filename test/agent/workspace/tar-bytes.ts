/**
 * Raw ustar archives, written byte by byte, for entries that tar's own writer refuses to make
 * (`../escape.txt`, `/abs.txt`): a 512-byte header per entry, the body padded to 512 bytes, and
 * two zero blocks at the end.
 */

export interface RawEntry {
  path: string;
  body?: string | Buffer;
  /** ustar type flag: "0" file, "1" hard link, "2" symlink, "3"/"4" devices, "5" directory, "6" FIFO, "x"/"g" pax headers. */
  type?: string;
  linkpath?: string;
}

const BLOCK = 512;

function put(header: Buffer, offset: number, length: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length > length) throw new Error(`"${text}" does not fit ${length} bytes`);
  bytes.copy(header, offset);
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, "0")}\0`;
}

/** One entry: its header and its padded body. */
export function rawEntry(entry: RawEntry): Buffer {
  const body = typeof entry.body === "string" ? Buffer.from(entry.body, "utf8") : (entry.body ?? Buffer.alloc(0));
  const header = Buffer.alloc(BLOCK);
  put(header, 0, 100, entry.path);
  put(header, 100, 8, octal(entry.type === "5" ? 0o755 : 0o644, 8));
  put(header, 108, 8, octal(1000, 8));
  put(header, 116, 8, octal(1000, 8));
  put(header, 124, 12, octal(body.length, 12));
  put(header, 136, 12, octal(1_700_000_000, 12));
  put(header, 148, 8, "        ");
  put(header, 156, 1, entry.type ?? "0");
  if (entry.linkpath !== undefined) put(header, 157, 100, entry.linkpath);
  put(header, 257, 6, "ustar\0");
  put(header, 263, 2, "00");
  put(header, 265, 32, "test");
  put(header, 297, 32, "test");
  let sum = 0;
  for (const byte of header) sum += byte;
  put(header, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  const padding = Buffer.alloc((BLOCK - (body.length % BLOCK)) % BLOCK);
  return Buffer.concat([header, body, padding]);
}

/** A pax extended header ("x": for the next entry, "g": global) carrying these records. */
export function paxEntry(records: Record<string, string>, type: "x" | "g" = "x"): Buffer {
  const lines = Object.entries(records).map(([key, value]) => {
    const rest = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(rest) + 1;
    while (Buffer.byteLength(`${length}${rest}`) !== length) length = Buffer.byteLength(`${length}${rest}`);
    return `${length}${rest}`;
  });
  return rawEntry({ path: "PaxHeader", type, body: lines.join("") });
}

/** A whole archive of these entries (raw buffers pass through, e.g. from paxEntry). */
export function rawTar(entries: ReadonlyArray<RawEntry | Buffer>): Buffer {
  return Buffer.concat([...entries.map((e) => (Buffer.isBuffer(e) ? e : rawEntry(e))), Buffer.alloc(BLOCK * 2)]);
}
