import path from "node:path";
import vm from "node:vm";
import picomatch from "picomatch";

/** The patterns did not finish matching within the sandbox's time budget. */
export class PatternTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`pattern matching did not finish within ${timeoutMs} ms`);
    this.name = "PatternTimeoutError";
  }
}

/** A pattern the model wrote does not compile; the message says why. */
export class InvalidPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidPatternError";
  }
}

/** A regular expression compiled inside a sandbox. */
export interface RegexHandle {
  readonly id: number;
}

/** A glob compiled inside a sandbox. */
export interface GlobHandle {
  readonly id: number;
  /** The glob itself: a path equal to it matches whatever the regex says (as picomatch does). */
  readonly glob: string;
  /** Match the last path segment only (a pattern without "/", as .gitignore and ripgrep do). */
  readonly matchBase: boolean;
}

interface SandboxState {
  regexes: RegExp[];
  input: unknown;
}

// The scripts below are ours; the model's patterns only ever reach them as data (RegExp sources).
const COMPILE = new vm.Script(`regexes.push(new RegExp(input.source, input.flags)); regexes.length - 1;`, {
  filename: "review-tools-compile.vm",
});

const FILTER = new vm.Script(
  `(() => {
    const re = regexes[input.id];
    const { items, glob, out } = input;
    for (let i = 0; i < items.length; i++) {
      if (items[i] === glob || re.test(items[i])) out.push(i);
    }
  })();`,
  { filename: "review-tools-filter.vm" },
);

function isTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "ERR_SCRIPT_EXECUTION_TIMEOUT";
}

/**
 * Runs regular expressions and globs the model wrote where a catastrophic pattern cannot hang
 * the server: every match runs inside `vm` with a timeout, which interrupts even a regex stuck
 * backtracking. One sandbox serves one tool call; its budget covers all of that call's matching.
 */
export class PatternSandbox {
  private readonly state: SandboxState = { regexes: [], input: null };
  private readonly context: vm.Context;
  private readonly deadline: number;

  constructor(readonly timeoutMs: number) {
    this.context = vm.createContext(this.state, { codeGeneration: { strings: false, wasm: false } });
    this.deadline = Date.now() + timeoutMs;
  }

  /** Milliseconds left of the budget (0 when spent). */
  remainingMs(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  private run(script: vm.Script, input: object): unknown {
    const remaining = this.remainingMs();
    if (remaining <= 0) throw new PatternTimeoutError(this.timeoutMs);
    this.state.input = input;
    try {
      return script.runInContext(this.context, { timeout: Math.max(1, Math.ceil(remaining)) });
    } catch (error) {
      if (isTimeout(error)) throw new PatternTimeoutError(this.timeoutMs);
      throw error;
    } finally {
      this.state.input = null;
    }
  }

  /** Compiles a JavaScript regular expression; throws InvalidPatternError when it is not one. */
  regex(source: string, flags: string): RegexHandle {
    try {
      // Compiling is linear in the pattern's length; only matching can blow up.
      new RegExp(source, flags);
    } catch (error) {
      throw new InvalidPatternError(error instanceof Error ? error.message : String(error));
    }
    const id = this.run(COMPILE, { source, flags });
    if (typeof id !== "number") throw new Error("the pattern sandbox did not return a regex handle");
    return { id };
  }

  /**
   * Compiles a glob (picomatch syntax, dot files included). With `matchBase`, a pattern without
   * "/" is matched against the last path segment, so `*.sql` finds SQL files at any depth.
   */
  glob(pattern: string, options: { caseSensitive: boolean; matchBase: boolean }): GlobHandle {
    const glob = pattern.startsWith("./") ? pattern.slice(2) : pattern;
    if (glob === "") throw new InvalidPatternError("the glob pattern is empty");
    let compiled: RegExp;
    try {
      compiled = picomatch.makeRe(glob, { dot: true, nocase: !options.caseSensitive });
    } catch (error) {
      throw new InvalidPatternError(error instanceof Error ? error.message : String(error));
    }
    const { id } = this.regex(compiled.source, compiled.flags);
    return { id, glob, matchBase: options.matchBase && !glob.includes("/") };
  }

  /** Indexes (ascending) of the posix paths that the glob matches. */
  filter(handle: GlobHandle, paths: readonly string[]): number[] {
    const items = handle.matchBase ? paths.map((p) => path.posix.basename(p)) : paths;
    const out: number[] = [];
    this.run(FILTER, { id: handle.id, glob: handle.glob, items, out });
    return out;
  }

  /** Whether the glob matches the posix path. */
  matches(handle: GlobHandle, candidate: string): boolean {
    return this.filter(handle, [candidate]).length > 0;
  }
}
