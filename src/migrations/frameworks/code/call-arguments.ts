import { type Argument, commandArgumentsEnd, matchingBracket, splitArguments } from "./brackets.js";

export interface CallArguments {
  args: Argument[];
  /** A block follows the arguments (Ruby `do … end` / `{ … }` after the parentheses). */
  hasBlock: boolean;
}

/**
 * The arguments of a Ruby or Elixir call whose name ends at `nameEnd`: `name(a, b)` or the
 * command form `name a, b` (to the end of its line, a trailing `do` being its block).
 */
export function callArguments(masked: string, nameEnd: number): CallArguments {
  if (masked.charAt(nameEnd) === "(") {
    const close = matchingBracket(masked, nameEnd);
    if (close < 0) return { args: [], hasBlock: false };
    const after = masked.slice(close + 1, close + 40).replace(/^[ \t]*/, "");
    return { args: splitArguments(masked, nameEnd + 1, close), hasBlock: /^(?:do\b|\{)/.test(after) };
  }
  const end = commandArgumentsEnd(masked, nameEnd);
  const block = /\bdo\b(?!:)/.exec(masked.slice(nameEnd, end));
  const argsEnd = block ? nameEnd + block.index : end;
  return { args: splitArguments(masked, nameEnd, argsEnd), hasBlock: block !== null };
}

/** Ruby/Elixir keyword arguments (`type: :string`, `:type => :string`) versus positional ones. */
export function isKeywordArgument(argument: Argument): boolean {
  return /^[A-Za-z_]\w*:(?!:)/.test(argument.masked) || /^:?\w+\s*=>/.test(argument.masked) || argument.masked.startsWith("**");
}

export function positionalCount(args: readonly Argument[]): number {
  return args.filter((argument) => !isKeywordArgument(argument) && !argument.masked.startsWith("&")).length;
}

export function hasKeyword(args: readonly Argument[], name: string): boolean {
  return args.some((argument) => new RegExp(`^:?${name}(?::(?!:)|\\s*=>)`).test(argument.masked));
}
