import type { Part } from "@google/genai";
import type { UntrustedFence } from "./untrusted.js";

/**
 * Every turn re-sends the whole conversation, so a long review pays again and again for file
 * contents it read long ago. Tool results older than the last few turns are replaced by a one-line
 * summary (which file, how many lines) once they are large; under budget pressure all but the
 * last turn's are. The model can call the tool again when it needs the text back. Model turns are
 * never touched: they carry thought signatures that Gemini wants back verbatim.
 */

/** Tool-result turns kept whole, counting back from the newest. */
export const KEEP_RECENT_TOOL_TURNS = 3;
/** Results shorter than this stay, however old: the summary would save nothing. */
export const ELIDE_MIN_CHARS = 1_500;
/** Under budget pressure: turns kept whole and the size from which a result is elided. */
export const PRESSED_KEEP_TURNS = 1;
export const PRESSED_ELIDE_MIN_CHARS = 300;

interface Recorded {
  turn: number;
  part: Part;
  summary: string;
  chars: number;
  elided: boolean;
}

export class ToolResultHistory {
  private readonly results: Recorded[] = [];
  private elidedChars = 0;

  constructor(private readonly fence: UntrustedFence) {}

  /** Notes a function response sent in `turn`, with a one-line summary of what it held. */
  record(turn: number, part: Part, summary: string, chars: number): void {
    this.results.push({ turn, part, summary, chars, elided: false });
  }

  /** Characters of tool output taken out of the history so far. */
  get savedChars(): number {
    return this.elidedChars;
  }

  /**
   * Elides the results older than the kept turns, in place (the parts are the ones in the
   * history). Returns how many results were elided by this call.
   */
  compress(currentTurn: number, pressed: boolean): number {
    const keep = pressed ? PRESSED_KEEP_TURNS : KEEP_RECENT_TOOL_TURNS;
    const minChars = pressed ? PRESSED_ELIDE_MIN_CHARS : ELIDE_MIN_CHARS;
    const turns = [...new Set(this.results.map((r) => r.turn))].sort((a, b) => b - a);
    const oldestKept = turns[keep - 1] ?? 0;
    let count = 0;
    for (const result of this.results) {
      if (result.elided || result.turn >= oldestKept || result.turn >= currentTurn || result.chars < minChars) continue;
      const response = result.part.functionResponse;
      if (!response) continue;
      const note = `[Result elided to keep the review within its token budget; it was: ${this.fence.wrap("result summary", result.summary)}. Call the tool again if you need the text.]`;
      const isError = response.response !== undefined && "error" in response.response;
      response.response = isError ? { error: note } : { output: note };
      result.elided = true;
      this.elidedChars += Math.max(0, result.chars - note.length);
      count++;
    }
    return count;
  }
}
