import { RULE_IDS } from "./rule-ids.js";

/**
 * Rule ids close to a misspelt one, for `/data-engineer explain` and for the config's "unknown
 * key" error. Reads only the ids module, so the config can use it without importing the rules.
 */

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length] ?? 0;
}

/** Known rule ids close to `id`: a few edits away, or containing it (or contained in it). */
export function closeRuleIds(id: string, limit = 5): string[] {
  const scored = RULE_IDS.map((known) => {
    const d = distance(id, known);
    const contains = id.length >= 4 && (known.includes(id) || id.includes(known));
    return { id: known, score: contains ? Math.min(d, 1) : d };
  });
  return scored
    .filter((s) => s.score <= Math.max(2, Math.floor(id.length / 4)))
    .sort((a, b) => a.score - b.score || (a.id < b.id ? -1 : 1))
    .slice(0, limit)
    .map((s) => s.id);
}
