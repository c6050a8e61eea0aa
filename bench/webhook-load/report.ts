/** Figures and text for the webhook load benchmark: percentiles, the app's metrics and logs, a table. */

/** The nearest-rank percentile (p in 0..100) of unsorted values; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? 0;
}

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (comments skipped). */
export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match?.[1] || match[3] === undefined) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      if (label[1] !== undefined) labels[label[1]] = label[2] ?? "";
    }
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of a metric's samples whose labels include `labels`. */
export function metricValue(samples: readonly MetricSample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value)).reduce((sum, s) => sum + s.value, 0);
}

export interface LogSummary {
  warnings: number;
  errors: number;
  /** The most frequent messages at warn and above, with how often each came. */
  top: Array<{ level: string; msg: string; count: number; deliveryIds: string[] }>;
  /** Lines that were not JSON (a crash trace, Node's warnings). */
  other: string[];
}

const LEVELS: Record<number, string> = { 40: "warn", 50: "error", 60: "fatal" };

/** Counts the warn/error lines of pino's JSON output, by message (and the error's message when there is one). */
export function summariseLog(text: string, top = 8): LogSummary {
  const counts = new Map<string, { level: string; msg: string; count: number; deliveryIds: string[] }>();
  const other: string[] = [];
  let warnings = 0;
  let errors = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let entry: { level?: unknown; msg?: unknown; err?: { message?: unknown }; reason?: unknown; deliveryId?: unknown };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      if (other.length < 20) other.push(line.slice(0, 300));
      continue;
    }
    const level = typeof entry.level === "number" ? entry.level : 0;
    if (level < 40) continue;
    if (level >= 50) errors++;
    else warnings++;
    const detail = typeof entry.err?.message === "string" ? entry.err.message : typeof entry.reason === "string" ? entry.reason : "";
    const msg = `${typeof entry.msg === "string" ? entry.msg : "(no msg)"}${detail ? ` — ${detail.slice(0, 200)}` : ""}`;
    const levelName = LEVELS[level] ?? String(level);
    const key = `${levelName} ${msg}`;
    const deliveryId = typeof entry.deliveryId === "string" ? entry.deliveryId : undefined;
    let seen = counts.get(key);
    if (!seen) counts.set(key, (seen = { level: levelName, msg, count: 0, deliveryIds: [] }));
    seen.count++;
    if (deliveryId !== undefined && seen.deliveryIds.length < 5 && !seen.deliveryIds.includes(deliveryId)) seen.deliveryIds.push(deliveryId);
  }
  return { warnings, errors, top: [...counts.values()].sort((a, b) => b.count - a.count).slice(0, top), other };
}

/** Plain-text columns: the first left-aligned, the others right-aligned. */
export function table(rows: ReadonlyArray<readonly string[]>): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

export function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
}

export function ratio(a: number, b: number): string {
  return b > 0 ? `${(a / b).toFixed(2)}x` : "n/a";
}
