/**
 * A small XML reader for migration changelogs (Liquibase): elements, attributes, text, CDATA,
 * comments, processing instructions and a DOCTYPE, with the 1-based line of every element and
 * text piece, so that what is translated from an element can be reported at its line. It reads
 * well-formed documents; it does not validate against a schema, resolve external entities or
 * keep namespaces apart (an element's `name` is its local name). Anything malformed gives an
 * `XmlSyntaxError` with its line instead of a tree: the caller reports it, nothing is thrown.
 */

export interface XmlText {
  /** The decoded text (entities and character references replaced, CDATA as written). */
  value: string;
  /** Line of its first character. */
  line: number;
}

export interface XmlElement {
  /** Local name (`ext:createIndex` → `createIndex`). */
  name: string;
  /** Line of the `<` that opens it. */
  line: number;
  /** Attribute values, decoded and whitespace-normalised as XML requires; local names. */
  attributes: Map<string, string>;
  children: XmlElement[];
  /** Its own text and CDATA pieces, in order (not its children's). */
  texts: XmlText[];
}

export interface XmlSyntaxError {
  message: string;
  line: number;
}

export type XmlReadResult = { root: XmlElement; error?: undefined } | { root?: undefined; error: XmlSyntaxError };

const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const SPACE = /[ \t\r\n]*/y;

class XmlSyntax extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

function localName(name: string): string {
  return name.slice(name.indexOf(":") + 1);
}

/** Replaces `&lt;`-style entities and `&#…;` references; an unknown entity is an error (XML has no others without a DTD). */
function decodeEntities(raw: string, offset: number): string {
  if (!raw.includes("&")) return raw;
  return raw.replace(/&([^;\s&<]*);?/g, (whole, name: string, at: number) => {
    if (!whole.endsWith(";")) throw new XmlSyntax("'&' must start an entity such as &amp; or &lt;", offset + at);
    if (name in PREDEFINED) return PREDEFINED[name] ?? "";
    const numeric = /^#(x[0-9a-f]+|[0-9]+)$/i.exec(name);
    const code = numeric?.[1] ? (numeric[1].startsWith("x") || numeric[1].startsWith("X") ? parseInt(numeric[1].slice(1), 16) : parseInt(numeric[1], 10)) : NaN;
    if (Number.isNaN(code) || code > 0x10ffff) throw new XmlSyntax(`unknown entity &${name};`, offset + at);
    return String.fromCodePoint(code);
  });
}

class Reader {
  private pos = 0;
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  lineAt(offset: number): number {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.lineStarts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  }

  private skipTo(marker: string, what: string): void {
    const end = this.text.indexOf(marker, this.pos);
    if (end < 0) throw new XmlSyntax(`${what} is never closed (no '${marker}')`, this.pos);
    this.pos = end + marker.length;
  }

  private name(): string {
    NAME.lastIndex = this.pos;
    const match = NAME.exec(this.text);
    if (!match) throw new XmlSyntax("expected a name", this.pos);
    this.pos = NAME.lastIndex;
    return match[0];
  }

  private spaces(): boolean {
    SPACE.lastIndex = this.pos;
    SPACE.exec(this.text);
    const moved = SPACE.lastIndex > this.pos;
    this.pos = SPACE.lastIndex;
    return moved;
  }

  /** `<!DOCTYPE …>`, with an internal subset in brackets. */
  private doctype(): void {
    let depth = 0;
    for (let i = this.pos; i < this.text.length; i++) {
      const char = this.text[i];
      if (char === "[") depth++;
      else if (char === "]") depth--;
      else if (char === ">" && depth <= 0) {
        this.pos = i + 1;
        return;
      }
    }
    throw new XmlSyntax("<!DOCTYPE is never closed", this.pos);
  }

  /** Reads `name="value"` pairs up to `>` or `/>`; returns whether the element closes itself. */
  private attributes(into: Map<string, string>): boolean {
    for (;;) {
      const spaced = this.spaces();
      if (this.text.startsWith("/>", this.pos)) {
        this.pos += 2;
        return true;
      }
      if (this.text.startsWith(">", this.pos)) {
        this.pos += 1;
        return false;
      }
      if (this.pos >= this.text.length) throw new XmlSyntax("the document ends inside a tag", this.pos);
      if (!spaced) throw new XmlSyntax("expected a space, '>' or '/>' after an attribute", this.pos);
      const name = this.name();
      this.spaces();
      if (this.text[this.pos] !== "=") throw new XmlSyntax(`attribute ${name} has no value (expected '=')`, this.pos);
      this.pos++;
      this.spaces();
      const quote = this.text[this.pos];
      if (quote !== '"' && quote !== "'") throw new XmlSyntax(`the value of attribute ${name} must be quoted`, this.pos);
      const end = this.text.indexOf(quote, this.pos + 1);
      if (end < 0) throw new XmlSyntax(`the value of attribute ${name} is never closed`, this.pos);
      const raw = this.text.slice(this.pos + 1, end);
      if (raw.includes("<")) throw new XmlSyntax(`'<' in the value of attribute ${name}: write &lt;`, this.pos + 1 + raw.indexOf("<"));
      // XML turns every literal tab or line break of an attribute value into a space.
      into.set(localName(name), decodeEntities(raw, this.pos + 1).replace(/\r\n|[\t\n\r]/g, " "));
      this.pos = end + 1;
    }
  }

  read(): XmlElement {
    const stack: XmlElement[] = [];
    let root: XmlElement | undefined;
    const text = this.text;
    while (this.pos < text.length) {
      const lt = text.indexOf("<", this.pos);
      const textEnd = lt < 0 ? text.length : lt;
      if (textEnd > this.pos) {
        const raw = text.slice(this.pos, textEnd);
        const top = stack[stack.length - 1];
        if (top) top.texts.push({ value: decodeEntities(raw, this.pos), line: this.lineAt(this.pos) });
        else if (raw.trim() !== "") throw new XmlSyntax("text outside the root element", this.pos + raw.search(/\S/));
        this.pos = textEnd;
        continue;
      }
      const start = this.pos;
      if (text.startsWith("<!--", start)) {
        this.pos += 4;
        this.skipTo("-->", "a comment");
      } else if (text.startsWith("<![CDATA[", start)) {
        const top = stack[stack.length - 1];
        if (!top) throw new XmlSyntax("CDATA outside the root element", start);
        const end = text.indexOf("]]>", start + 9);
        if (end < 0) throw new XmlSyntax("a CDATA section is never closed (no ']]>')", start);
        top.texts.push({ value: text.slice(start + 9, end), line: this.lineAt(start + 9) });
        this.pos = end + 3;
      } else if (text.startsWith("<?", start)) {
        this.pos += 2;
        this.skipTo("?>", "a processing instruction");
      } else if (text.startsWith("<!DOCTYPE", start)) {
        this.pos += 9;
        this.doctype();
      } else if (text.startsWith("</", start)) {
        this.pos += 2;
        const name = localName(this.name());
        this.spaces();
        if (text[this.pos] !== ">") throw new XmlSyntax(`expected '>' to close </${name}`, this.pos);
        this.pos++;
        const open = stack.pop();
        if (!open) throw new XmlSyntax(`</${name}> closes no element`, start);
        if (open.name !== name) throw new XmlSyntax(`</${name}> closes <${open.name}>, opened at line ${open.line}`, start);
      } else {
        this.pos++;
        const element: XmlElement = { name: "", line: this.lineAt(start), attributes: new Map(), children: [], texts: [] };
        element.name = localName(this.name());
        const selfClosing = this.attributes(element.attributes);
        const parent = stack[stack.length - 1];
        if (parent) parent.children.push(element);
        else if (root) throw new XmlSyntax(`a second root element <${element.name}>`, start);
        else root = element;
        if (!selfClosing) stack.push(element);
      }
    }
    const unclosed = stack[stack.length - 1];
    if (unclosed) throw new XmlSyntax(`<${unclosed.name}> (line ${unclosed.line}) is never closed`, text.length);
    if (!root) throw new XmlSyntax("no root element", 0);
    return root;
  }
}

export function readXml(text: string): XmlReadResult {
  const reader = new Reader(text);
  try {
    return { root: reader.read() };
  } catch (error) {
    if (!(error instanceof XmlSyntax)) throw error;
    return { error: { message: error.message, line: reader.lineAt(Math.min(error.offset, Math.max(0, text.length - 1))) } };
  }
}

/**
 * An element's own text as one string whose lines match the file's: its pieces joined, with the
 * line breaks of what lies between them (a comment, a child element) kept as blank lines. `line`
 * is the line of its first character; undefined when it has no text.
 */
export function elementText(element: XmlElement): XmlText | undefined {
  const first = element.texts[0];
  if (!first) return undefined;
  let value = "";
  let line = first.line;
  for (const piece of element.texts) {
    if (piece.line > line) value += "\n".repeat(piece.line - line);
    value += piece.value;
    line = piece.line + (piece.value.match(/\n/g)?.length ?? 0);
  }
  return { value, line: first.line };
}
