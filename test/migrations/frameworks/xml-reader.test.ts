import { describe, expect, it } from "vitest";
import { elementText, readXml, type XmlElement } from "../../../src/migrations/frameworks/support/xml-reader.js";

function root(text: string): XmlElement {
  const read = readXml(text);
  if (!read.root) throw new Error(read.error.message);
  return read.root;
}

describe("readXml", () => {
  it("reads elements with their lines, local names and decoded, normalised attributes", () => {
    const doc = root(
      '<?xml version="1.0"?>\n<!DOCTYPE log [ <!ELEMENT log ANY> ]>\n<log xmlns:ext="x">\n  <ext:item a="1 &lt; 2" b=\'it&apos;s\'\n        c="line\nbreak"/>\n  <!-- <not-an-element/> -->\n  <other/>\n</log>\n',
    );
    expect(doc.name).toBe("log");
    expect(doc.line).toBe(3);
    expect(doc.children.map((c) => [c.name, c.line])).toEqual([
      ["item", 4],
      ["other", 8],
    ]);
    expect(Object.fromEntries(doc.children[0]?.attributes ?? [])).toEqual({ a: "1 < 2", b: "it's", c: "line break" });
  });

  it("keeps text, CDATA and character references with their lines; comments and children keep later lines in place", () => {
    const sql = root("<sql>\n  SELECT 1 &gt; 0, &#65;&#x42;;\n  <!-- a\n  comment -->\n  <![CDATA[SELECT '<b>' && x;]]>\n</sql>");
    const text = elementText(sql);
    expect(text?.line).toBe(1);
    const lines = text?.value.split("\n") ?? [];
    expect(lines[1]?.trim()).toBe("SELECT 1 > 0, AB;");
    expect(lines[4]?.trim()).toBe("SELECT '<b>' && x;");
  });

  it.each([
    ["<a><b></a>", 1, "</a> closes <b>, opened at line 1"],
    ["<a>\n<b>\n", 2, "<b> (line 2) is never closed"],
    ['<a x="1 & 2"/>', 1, "'&' must start an entity such as &amp; or &lt;"],
    ["<a>\n&nbsp;</a>", 2, "unknown entity &nbsp;"],
    ["<a x=1/>", 1, "the value of attribute x must be quoted"],
    ["<a>\n<!-- open", 2, "a comment is never closed (no '-->')"],
    ["<a/><b/>", 1, "a second root element <b>"],
    ["", 1, "no root element"],
    ["<a><![CDATA[x</a>", 1, "a CDATA section is never closed (no ']]>')"],
  ])("reports %j as a syntax error at its line, without throwing", (text, line, message) => {
    expect(readXml(text)).toEqual({ error: { line, message } });
  });
});
