/**
 * JSON with object keys sorted at every level: the same value always gives the same text. A module
 * of its own, importing nothing: the review's cache key (src/review/analysis-cache.ts) hashes it on
 * every run, and a hit must not load the rules engine that cached-analysis.ts brings with it.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== "object" || Array.isArray(inner)) return inner;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner).sort()) sorted[key] = (inner as Record<string, unknown>)[key];
    return sorted;
  });
}
