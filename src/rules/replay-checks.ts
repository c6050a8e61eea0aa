import { defineRule } from "./types.js";

/**
 * What a replay in a real Postgres finds (src/replay/ raises them, with messages it writes from
 * what Postgres said): meta-only rules, without statement or migration checks, so that they have
 * an id in the registry, a severity `rules:` can change, a documentation page and
 * `/data-engineer explain` like every other rule. The analyser runs them as no-ops.
 */

export const replayUpFails = defineRule({
  id: "replay-up-fails",
  meta: {
    severity: "error",
    category: "rollback",
    description: "The migration's up fails when replayed on the schema its predecessors build.",
    messages: {},
  },
});

export const replayDownFails = defineRule({
  id: "replay-down-fails",
  meta: {
    severity: "error",
    category: "rollback",
    description: "The migration's down fails when replayed right after its up.",
    messages: {},
  },
});

export const replayDownMismatch = defineRule({
  id: "replay-down-mismatch",
  meta: {
    severity: "warning",
    category: "rollback",
    description: "After up then down, the schema differs from the schema before up: the down does not restore it.",
    messages: {},
  },
});

export const replayReapplyFails = defineRule({
  id: "replay-reapply-fails",
  meta: {
    severity: "error",
    category: "rollback",
    description: "After up then down, up cannot be applied again.",
    messages: {},
  },
});

export const replayTracedLock = defineRule({
  id: "replay-traced-lock",
  meta: {
    severity: "warning",
    category: "locking",
    description: "Postgres took a stronger lock than the static lock model predicted; the traced lock is the one that holds.",
    messages: {},
  },
});
