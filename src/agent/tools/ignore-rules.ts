import type { RE2JS } from "re2js";
import { z } from "zod";
import { resolveInWorkspace } from "./confine.js";
import { readTextFile, splitLines } from "./file-text.js";
import { loadRe2, type Re2 } from "./re2.js";

/**
 * .gitignore and .geminiignore, respected as gemini-cli does: listings and searches leave out
 * what they ignore unless the call says otherwise (no_ignore, respect_git_ignore: false…). The
 * patterns come from the repository, so they are compiled to RE2 (linear time) by this module's
 * own glob translation rather than run as JavaScript regexes. A path named one by one in
 * read_file is read whatever these files say: a review must be able to read a tracked file that
 * an ignore pattern happens to match.
 */

export interface IgnoreChoice {
  git: boolean;
  gemini: boolean;
}

export const RESPECT_ALL: IgnoreChoice = { git: true, gemini: true };
export const RESPECT_NONE: IgnoreChoice = { git: false, gemini: false };

/** Rules read from one ignore file; more are not read (a hostile file must stay cheap). */
const MAX_RULES_PER_FILE = 500;

interface Rule {
  negate: boolean;
  dirOnly: boolean;
  regex: RE2JS;
}

interface Scope {
  /** Folder of the ignore file, workspace-relative ("." for the root). */
  base: string;
  rules: Rule[];
}

function escapeChar(c: string): string {
  return /[\\^$.|?*+()[\]{}]/.test(c) ? `\\${c}` : c;
}

/** A gitignore glob as an RE2 expression for a path relative to the file's folder. */
export function gitGlobToRegex(glob: string, anchored: boolean): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? "";
    if (c === "*") {
      if (glob[i + 1] === "*") {
        const slashAfter = glob[i + 2] === "/";
        const atSegmentStart = i === 0 || glob[i - 1] === "/";
        if (atSegmentStart && slashAfter) {
          out += "(?:.*/)?";
          i += 2;
        } else {
          out += ".*";
          i += 1;
        }
      } else out += "[^/]*";
    } else if (c === "?") out += "[^/]";
    else if (c === "\\" && i + 1 < glob.length) out += escapeChar(glob[++i] ?? "");
    else if (c === "[") {
      const close = glob.indexOf("]", i + 2);
      if (close < 0) out += "\\[";
      else {
        let body = glob.slice(i + 1, close);
        if (body.startsWith("!")) body = `^${body.slice(1)}`;
        out += `[${body.replace(/\\/g, "\\\\")}]`;
        i = close;
      }
    } else out += escapeChar(c);
  }
  return `^${anchored ? "" : "(?:.*/)?"}${out}(?:/.*)?$`;
}

function parseRules(re2: Re2, text: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of splitLines(text)) {
    if (rules.length >= MAX_RULES_PER_FILE) break;
    let line = raw.replace(/(?<!\\)\s+$/, "");
    if (line === "" || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (negate) line = line.slice(1);
    const dirOnly = line.endsWith("/");
    if (dirOnly) line = line.replace(/\/+$/, "");
    const anchored = line.includes("/");
    line = line.replace(/^\//, "");
    if (line === "") continue;
    try {
      rules.push({ negate, dirOnly, regex: re2.compile(gitGlobToRegex(line, anchored)) });
    } catch {
      // A line git would not understand either: skipped.
    }
  }
  return rules;
}

function within(relative: string, base: string): string | undefined {
  if (base === ".") return relative;
  return relative.startsWith(`${base}/`) ? relative.slice(base.length + 1) : undefined;
}

export class IgnoreRules {
  private readonly git: Scope[] = [];
  private readonly gemini: Scope[] = [];
  private readonly loaded = new Set<string>();
  /** Paths left out because of these rules, counted by the tools for their notes. */
  ignoredCount = 0;

  private constructor(
    private readonly root: string,
    readonly choice: IgnoreChoice,
  ) {}

  /** The rules that apply in `folder` (workspace-relative): the root's files and the .gitignore of every folder down to it. */
  static async forFolder(root: string, folder: string, choice: IgnoreChoice): Promise<IgnoreRules> {
    const rules = new IgnoreRules(root, choice);
    if (choice.gemini) {
      const text = await rules.read(".geminiignore");
      if (text !== undefined) rules.gemini.push({ base: ".", rules: parseRules(await loadRe2(), text) });
    }
    const parts = folder === "." ? [] : folder.split("/");
    for (let depth = 0; depth <= parts.length; depth++) await rules.addGitignore(depth === 0 ? "." : parts.slice(0, depth).join("/"));
    return rules;
  }

  get active(): boolean {
    return this.choice.git || this.choice.gemini;
  }

  /** Reads `folder`/.gitignore when .gitignore is respected and it was not read yet. */
  async addGitignore(folder: string): Promise<void> {
    if (!this.choice.git || this.loaded.has(folder)) return;
    this.loaded.add(folder);
    const text = await this.read(folder === "." ? ".gitignore" : `${folder}/.gitignore`);
    if (text !== undefined) this.git.push({ base: folder, rules: parseRules(await loadRe2(), text) });
  }

  private async read(relative: string): Promise<string | undefined> {
    const confined = await resolveInWorkspace(this.root, relative);
    if (!confined.ok) return undefined;
    try {
      const read = await readTextFile(confined.absolute, relative);
      return read.ok ? read.text : undefined;
    } catch {
      return undefined;
    }
  }

  /** Whether a workspace-relative posix path is ignored; the last matching rule of a scope decides, deeper scopes after shallower. */
  ignores(relative: string, isDirectory: boolean): boolean {
    const decide = (scopes: Scope[]) => {
      let ignored = false;
      for (const scope of scopes) {
        const sub = within(relative, scope.base);
        if (sub === undefined) continue;
        for (const rule of scope.rules) {
          // A folder-only rule (`build/`) reaches a file only through one of its folders.
          const subject = rule.dirOnly && !isDirectory ? sub.slice(0, Math.max(0, sub.lastIndexOf("/"))) : sub;
          if (subject === "") continue;
          if (rule.regex.matcher(subject).matches()) ignored = !rule.negate;
        }
      }
      return ignored;
    };
    const ignored = (this.choice.git && decide(this.git)) || (this.choice.gemini && decide(this.gemini));
    if (ignored) this.ignoredCount++;
    return ignored;
  }
}

/** The note a tool adds when ignore files left paths out. */
export function ignoredNote(count: number, howToInclude: string): string {
  return `(${count} ${count === 1 ? "path" : "paths"} left out by .gitignore or .geminiignore; ${howToInclude} to include them.)`;
}

const respectGit = z.boolean().optional().describe("Optional: whether to leave out what .gitignore ignores. Defaults to true.");
const respectGemini = z.boolean().optional().describe("Optional: whether to leave out what .geminiignore ignores. Defaults to true.");

/** gemini-cli's `file_filtering_options` parameter (list_directory, read_many_files). */
export const FileFilteringOptions = z
  .strictObject({ respect_git_ignore: respectGit, respect_gemini_ignore: respectGemini })
  .optional()
  .describe("Optional: whether to respect .gitignore and .geminiignore.");

/** glob's top-level respect_* parameters. */
export const RESPECT_PARAMETERS = { respect_git_ignore: respectGit, respect_gemini_ignore: respectGemini };

export function ignoreChoice(options: { respect_git_ignore?: boolean | undefined; respect_gemini_ignore?: boolean | undefined } | undefined): IgnoreChoice {
  return { git: options?.respect_git_ignore ?? true, gemini: options?.respect_gemini_ignore ?? true };
}
