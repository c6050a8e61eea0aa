import type { ReplayOutcome } from "./replay-migrations.js";

/** One sentence on what the replay did, for the review body and the check run's summary. */
export function describeReplay(outcome: ReplayOutcome): string {
  if (outcome.status === "skipped") return `Replay: not run (${outcome.reason ?? "nothing to replay"}).`;
  if (outcome.status === "unavailable") {
    const done = outcome.migrations.length > 0 ? ` after ${count(outcome.migrations.length, "migration")}` : "";
    return `Replay unavailable${done}: ${outcome.reason ?? "unknown reason"}. The review above is the static analysis.`;
  }
  const engine = outcome.engine ? shortVersion(outcome.engine) : "Postgres";
  const downChecked = outcome.migrations.filter((m) => m.restores !== undefined);
  const restored = downChecked.filter((m) => m.restores).length;
  const failed = outcome.migrations.filter((m) => m.up === "failed" || m.down === "failed" || m.reapply === "failed").length;
  const parts = [
    `${count(outcome.migrations.length, "migration")} replayed on ${engine} over a base of ${count(outcome.baseMigrations, "migration")}${outcome.fromCache ? " (from the cached base schema)" : ""} in ${(outcome.durationMs / 1000).toFixed(1)} s`,
    downChecked.length > 0 ? `down restored the schema for ${restored} of ${downChecked.length}` : "no down to check",
    ...(failed > 0 ? [`${count(failed, "migration")} failed a step`] : []),
    `locks read from pg_locks for ${count(
      outcome.migrations.reduce((n, m) => n + m.traced, 0),
      "statement",
    )}` +
      (outcome.locks.stronger.length > 0
        ? `, ${outcome.locks.stronger.length} stronger than the static model predicted`
        : ", none stronger than the static model predicted"),
  ];
  return `Replay: ${parts.join("; ")}.${outcome.reason ? ` ${outcome.reason}.` : ""}`;
}

function shortVersion(version: string): string {
  const match = /^(PostgreSQL [\d.]+)(?: \((PGlite [\d.]+)\))?/.exec(version);
  if (!match) return "Postgres";
  return match[2] ? `${match[1]} (${match[2]})` : (match[1] ?? "Postgres");
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}
