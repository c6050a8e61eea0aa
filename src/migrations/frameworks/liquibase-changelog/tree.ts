import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Scalar } from "yaml";
import { elementText, readXml, type XmlElement, type XmlSyntaxError, type XmlText } from "../support/xml-reader.js";

/**
 * A Liquibase changelog as one tree, whatever it was written in: XML elements and YAML mappings
 * become the same nodes (`<createTable tableName="t">` and `- createTable: {tableName: t}` alike),
 * each with the line it starts on, so one translator reads both.
 */
export interface ChangeNode {
  /** Element or key name (`changeSet`, `createTable`, `column`, `constraints`, `rollback`). */
  name: string;
  line: number;
  /** Scalar attributes (YAML scalars as strings: `false`, `255`). */
  attributes: Map<string, string>;
  /** Line where an attribute's value starts, when it is not the node's line (YAML `sql: |` blocks). */
  attributeLines: Map<string, number>;
  children: ChangeNode[];
  /** Its text (XML text and CDATA, a YAML scalar given as the whole value), lines kept. */
  text: XmlText | undefined;
}

export type ChangelogReadResult = { root: ChangeNode; error?: undefined } | { root?: undefined; error: XmlSyntaxError };

function fromXml(element: XmlElement): ChangeNode {
  const text = elementText(element);
  return {
    name: element.name,
    line: element.line,
    attributes: element.attributes,
    attributeLines: new Map(),
    children: element.children.map(fromXml),
    text: text && text.value.trim() !== "" ? text : undefined,
  };
}

export function readXmlChangelog(source: string): ChangelogReadResult {
  const read = readXml(source);
  return read.error ? { error: read.error } : { root: fromXml(read.root) };
}

/**
 * YAML lists whose items are the parent's own children in the XML form (`changes:` holds a
 * changeSet's changes, `columns:` a table's columns); any other list stays a node of its own
 * (`rollback:`, `preConditions:`).
 */
const FLATTENED_LISTS = new Set(["databaseChangeLog", "changes", "columns"]);

/** A YAML scalar as written in XML: `false`, `255`, text. */
function scalarText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return value instanceof Date ? value.toISOString() : JSON.stringify(value);
}

class YamlTree {
  constructor(private readonly lines: LineCounter) {}

  private lineOf(node: Node | null | undefined, fallback: number): number {
    const offset = node?.range?.[0];
    return offset === undefined ? fallback : this.lines.linePos(offset).line;
  }

  /** Where a scalar's content starts: a block scalar's text begins on the line after `|` or `>`. */
  private scalarLine(scalar: Scalar, fallback: number): number {
    const line = this.lineOf(scalar, fallback);
    return scalar.type === "BLOCK_LITERAL" || scalar.type === "BLOCK_FOLDED" ? line + 1 : line;
  }

  node(name: string, value: unknown, line: number): ChangeNode {
    const node: ChangeNode = { name, line, attributes: new Map(), attributeLines: new Map(), children: [], text: undefined };
    if (isScalar(value)) {
      if (value.value !== null && value.value !== undefined) node.text = { value: scalarText(value.value), line: this.scalarLine(value, line) };
    } else if (isMap(value)) {
      for (const pair of value.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : "";
        const keyLine = this.lineOf(pair.key as Node | null, line);
        const item = pair.value;
        if (isScalar(item)) {
          if (item.value === null || item.value === undefined) continue;
          node.attributes.set(key, scalarText(item.value));
          const valueLine = this.scalarLine(item, keyLine);
          if (valueLine !== line) node.attributeLines.set(key, valueLine);
        } else if (isSeq(item) && FLATTENED_LISTS.has(key)) {
          node.children.push(...this.listItems(key, item.items, keyLine));
        } else if (isSeq(item)) {
          node.children.push({ ...this.node(key, null, keyLine), children: this.listItems(key, item.items, keyLine) });
        } else if (isMap(item)) {
          node.children.push(this.node(key, item, keyLine));
        }
      }
    }
    return node;
  }

  /** `- createTable: {…}` items: each one-key mapping is a node named by its key; a scalar item is a text node. */
  listItems(listName: string, items: readonly unknown[], fallback: number): ChangeNode[] {
    const nodes: ChangeNode[] = [];
    for (const item of items) {
      if (isMap(item)) {
        for (const pair of item.items) {
          const key = isScalar(pair.key) ? String(pair.key.value) : "";
          nodes.push(this.node(key, pair.value, this.lineOf(pair.key as Node | null, fallback)));
        }
      } else if (isScalar(item)) {
        nodes.push(this.node(listName, item, this.lineOf(item, fallback)));
      }
    }
    return nodes;
  }
}

export function readYamlChangelog(source: string): ChangelogReadResult {
  const lines = new LineCounter();
  const document = parseDocument(source, { lineCounter: lines, prettyErrors: false });
  const first = document.errors[0];
  if (first) {
    const offset = first.pos[0];
    return { error: { message: first.message.split("\n")[0] ?? first.message, line: lines.linePos(offset).line } };
  }
  const contents = document.contents;
  if (!isMap(contents)) return { error: { message: "a changelog is a mapping with a databaseChangeLog key", line: 1 } };
  const changelog = contents.get("databaseChangeLog", true);
  if (!isSeq(changelog)) return { error: { message: "databaseChangeLog must be a list (of changeSet, include, property …)", line: 1 } };
  const tree = new YamlTree(lines);
  const root: ChangeNode = { ...tree.node("databaseChangeLog", null, 1), children: tree.listItems("databaseChangeLog", changelog.items, 1) };
  return { root };
}

export function childrenNamed(node: ChangeNode, name: string): ChangeNode[] {
  return node.children.filter((child) => child.name === name);
}

/** `"false"`/`"true"` as written in either form; undefined when absent. */
export function booleanAttribute(node: ChangeNode, name: string): boolean | undefined {
  const value = node.attributes.get(name)?.trim().toLowerCase();
  return value === undefined ? undefined : value === "true";
}
