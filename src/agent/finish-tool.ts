/**
 * The function the model calls to end a run with its answer. The loop offers it beside the read
 * tools, checks every call through `accept`, and, when the run ends without an accepted answer,
 * asks `partial` to turn what the run learnt into one.
 */

export interface FinishDeclaration {
  name: string;
  description: string;
  parametersJsonSchema: object;
}

/** What the loop knows about one call of the finish tool. */
export interface FinishCallContext {
  workspaceRoot: string;
  /**
   * No turn is left to fix a rejected answer (the last turn, or the grace turn): the tool should
   * accept what it can and drop the rest rather than send problems back.
   */
  final: boolean;
}

export type FinishOutcome<T> =
  | {
      value: T;
      /** Parts of the answer left out because they were wrong, each with the reason (for the run's record). */
      dropped?: string[];
    }
  | { problems: string[] };

/** What a run learnt before it ended without an answer. */
export interface RunKnowledge {
  /** Why the run ended, for people ("no report after 20 turns"). */
  detail: string;
  turns: number;
  /** Workspace paths the model read successfully, in the order it first read them. */
  filesRead: readonly string[];
}

export interface FinishTool<T> {
  declaration: FinishDeclaration;
  /** Other names the model may call it by, e.g. gemini-cli's `complete_task`. */
  aliases?: readonly string[];
  /** The answer, or the problems to send back to the model so it can call again. */
  accept(args: Record<string, unknown>, ctx: FinishCallContext): Promise<FinishOutcome<T>>;
  /** The answer made of what the run learnt, when it ended without one; undefined when there is none to give. */
  partial?(knowledge: RunKnowledge): T | undefined;
}
