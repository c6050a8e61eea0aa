/**
 * A command's options, written once: node:util's parseArgs reads them, `data-engineer <command>
 * --help` lists them, and the README's option tables are generated from them (`npm run
 * readme:cli`; a test fails when the README is behind), so the three cannot say different things.
 */

export interface CliOption {
  readonly type: "string" | "boolean";
  /** What parseArgs gives when the option is absent (help says the default in words). */
  readonly default?: string | boolean;
  /** The value's placeholder in help: `DIR`, `markdown|json|sarif`; a flag has none. */
  readonly value?: string;
  /** What the option does, and its default when it has one. */
  readonly help: string;
}

export type CliOptions = Readonly<Record<string, CliOption>>;

/** Every command's `--help`, listed with its other options. */
export const HELP_OPTION = { type: "boolean", default: false, help: "Print this help and exit." } as const satisfies CliOption;

type ParseArgsOption<O extends CliOption> = { type: O["type"] } & (O extends { default: infer D } ? { default: D } : unknown);

/** The options as parseArgs takes them (type and default only), with their literal types kept for its typed result. */
export function parseArgsOptions<T extends CliOptions>(options: T): { [K in keyof T]: ParseArgsOption<T[K]> } {
  return Object.fromEntries(
    Object.entries(options).map(([name, option]) => [
      name,
      option.default === undefined ? { type: option.type } : { type: option.type, default: option.default },
    ]),
  ) as { [K in keyof T]: ParseArgsOption<T[K]> };
}

/** `--name VALUE`, as help and the README show an option. */
export function optionSignature(name: string, option: CliOption): string {
  return option.value === undefined ? `--${name}` : `--${name} ${option.value}`;
}

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

const HELP_WIDTH = 100;

/** The `Options:` block of a command's help: one option a line, its help wrapped beside it. */
export function optionsHelpText(options: CliOptions): string {
  const signatures = Object.entries(options).map(([name, option]) => [optionSignature(name, option), option.help] as const);
  const column = Math.max(...signatures.map(([signature]) => signature.length)) + 4;
  const lines = ["Options:"];
  for (const [signature, help] of signatures) {
    const [first = "", ...rest] = wrap(help, HELP_WIDTH - column);
    lines.push(`  ${signature.padEnd(column - 2)}${first}`, ...rest.map((line) => `${" ".repeat(column)}${line}`));
  }
  return `${lines.join("\n")}\n`;
}

/** A Markdown table cell: `|` would end the cell, even inside backticks. */
function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

/** The README's table of a command's options. */
export function optionsMarkdownTable(options: CliOptions): string {
  const rows = Object.entries(options).map(([name, option]) => `| ${cell(`\`${optionSignature(name, option)}\``)} | ${cell(option.help)} |`);
  return ["| Option | Meaning |", "| --- | --- |", ...rows].join("\n");
}
