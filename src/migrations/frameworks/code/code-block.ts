/** A method or function found in migration code: where it is defined and where its body is. */
export interface CodeBlock {
  name: string;
  /** Offset of the definition (`def`, `function`, `exports.up`): issues about the method point at its line. */
  defStart: number;
  /** The body between its delimiters: after `{` / `do` / the signature, up to `}` / `end` / the dedent. */
  bodyStart: number;
  bodyEnd: number;
}
