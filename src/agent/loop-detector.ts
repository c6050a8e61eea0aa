import type { ModelCall } from "./tool-calls.js";

/**
 * A model stuck in a loop makes the same calls turn after turn and gets the same answers. After
 * REPEATS_BEFORE_NUDGE identical turns in a row it is told so; if it still repeats itself
 * REPEATS_BEFORE_STOP times, the loop ends and the grace turn asks for the report.
 */

export const REPEATS_BEFORE_NUDGE = 3;
export const REPEATS_BEFORE_STOP = 5;

export type LoopVerdict = "ok" | "nudge" | "stop";

/** JSON with object keys sorted, so that argument order does not hide a repeat. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export class RepeatedCallDetector {
  private last: string | undefined;
  private repeats = 0;

  observe(calls: readonly ModelCall[]): LoopVerdict {
    const signature = canonical(calls.map((c) => [c.name, c.args]));
    if (calls.length > 0 && signature === this.last) this.repeats++;
    else {
      this.last = signature;
      this.repeats = calls.length > 0 ? 1 : 0;
    }
    if (this.repeats >= REPEATS_BEFORE_STOP) return "stop";
    if (this.repeats === REPEATS_BEFORE_NUDGE) return "nudge";
    return "ok";
  }
}

export function loopNudge(finish: string, repeats: number): string {
  return `You have made the same tool calls ${repeats} turns in a row; the result will not change. Use what you already have: read something else, or call ${finish} with your report.`;
}
