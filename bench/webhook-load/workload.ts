import { createHash } from "node:crypto";
import { DEFAULT_MIGRATION_FILES, defaultHeadSha, type PullRequestFile } from "../../test/helpers/loopback-github.js";

/**
 * The webhook mix of the load benchmark, drawn from a seed so that every run sends the same
 * deliveries in the same order: pull requests opened across many installations (most change no
 * migration, some change the loopback GitHub's default migration files), later pushes to pull
 * requests already opened (a `synchronize` with a new head), and redeliveries (a delivery sent
 * again with its delivery id).
 */

export interface WorkloadOptions {
  /** Webhooks to send in all (redeliveries included). */
  webhooks: number;
  installations: number;
  seed: number;
  /** Share of the opened pull requests that change migration files (a full review). */
  migrationShare: number;
  /** Share of the webhooks that are redeliveries of an earlier delivery. */
  redeliveryShare: number;
  /** Share of the webhooks that are a second (or later) push to a pull request already opened. */
  pushShare: number;
}

export interface BenchPullRequest {
  installationId: number;
  owner: string;
  repo: string;
  number: number;
  migrations: boolean;
  files: readonly PullRequestFile[];
}

/** One distinct delivery: one pull request at one head commit. */
export interface Delivery {
  id: string;
  pr: BenchPullRequest;
  action: "opened" | "synchronize";
  headSha: string;
}

export interface PlannedSend {
  delivery: Delivery;
  /** The same delivery id was sent before. */
  redelivery: boolean;
}

export interface Workload {
  pullRequests: BenchPullRequest[];
  deliveries: Delivery[];
  sends: PlannedSend[];
}

/**
 * Uniform numbers in [0, 1) from SHA-256 of the seed and a counter: slow next to a real PRNG,
 * but a run draws a few thousand, and the sequence depends on nothing but the seed.
 */
export class SeededRandom {
  private counter = 0;

  constructor(private readonly seed: number) {}

  next(): number {
    const digest = createHash("sha256").update(`${this.seed}:${this.counter++}`).digest();
    return digest.readUInt32BE(0) / 2 ** 32;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.min(n - 1, Math.floor(this.next() * n));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.below(items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }
}

/** A UUID-shaped delivery id (GitHub's are UUIDs), fixed by the seed and the delivery's number. */
function deliveryId(seed: number, n: number): string {
  const hex = createHash("sha256").update(`webhook-load:${seed}:${n}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Files of a pull request that changes no migration and no SQL. */
function plainFiles(number: number): PullRequestFile[] {
  return [
    { path: `src/service/handler-${number}.ts`, text: `export function handler${number}(input: string): string {\n  return input.trim();\n}\n` },
    { path: "docs/CHANGELOG.md", text: `## Unreleased\n\n- Handler ${number} trims its input.\n` },
  ];
}

export function planWorkload(options: WorkloadOptions): Workload {
  const random = new SeededRandom(options.seed);
  const redeliveries = Math.round(options.webhooks * options.redeliveryShare);
  const pushes = Math.round(options.webhooks * options.pushShare);
  const opens = options.webhooks - redeliveries - pushes;
  if (opens < 1) throw new Error("the mix leaves no pull request to open");

  // Pull requests: installation i owns org-i/service-i; numbers 1, 2, … within it. They are
  // opened in a shuffled order, so that an installation's pull requests do not arrive evenly.
  const perInstallation = Math.ceil(opens / options.installations);
  const slots: Array<{ installationId: number; number: number }> = [];
  for (let number = 1; number <= perInstallation; number++) {
    for (let installationId = 1; installationId <= options.installations; installationId++) slots.push({ installationId, number });
  }
  const chosen = slots.slice(0, opens);
  random.shuffle(chosen);
  const withMigrations = new Set(random.shuffle([...chosen.keys()]).slice(0, Math.round(opens * options.migrationShare)));
  const pullRequests: BenchPullRequest[] = chosen.map(({ installationId, number }, i) => {
    const migrations = withMigrations.has(i);
    return {
      installationId,
      owner: `org-${installationId}`,
      repo: `service-${installationId}`,
      number,
      migrations,
      files: migrations ? DEFAULT_MIGRATION_FILES : plainFiles(number),
    };
  });

  // The order of the kinds: a weighted draw from what is left, opens only for the first few.
  const warmOpens = Math.min(opens, 20);
  const left = { open: opens, push: pushes, redeliver: redeliveries };
  const deliveries: Delivery[] = [];
  const sends: PlannedSend[] = [];
  const opened: BenchPullRequest[] = [];
  const pushCount = new Map<BenchPullRequest, number>();
  for (let i = 0; i < options.webhooks; i++) {
    let kind: keyof typeof left = "open";
    if (opened.length >= warmOpens) {
      const total = left.open + left.push + left.redeliver;
      const draw = random.below(total);
      kind = draw < left.open ? "open" : draw < left.open + left.push ? "push" : "redeliver";
    }
    left[kind]--;
    if (kind === "redeliver") {
      sends.push({ delivery: random.pick(deliveries), redelivery: true });
      continue;
    }
    let delivery: Delivery;
    if (kind === "open") {
      const pr = pullRequests[opened.length];
      if (!pr) throw new Error("ran out of pull requests to open");
      opened.push(pr);
      delivery = { id: deliveryId(options.seed, deliveries.length), pr, action: "opened", headSha: defaultHeadSha(pr.owner, pr.repo, pr.number) };
    } else {
      const pr = random.pick(opened);
      const push = (pushCount.get(pr) ?? 0) + 1;
      pushCount.set(pr, push);
      const headSha = createHash("sha1").update(`${pr.owner}/${pr.repo}#${pr.number} push ${push}`).digest("hex");
      delivery = { id: deliveryId(options.seed, deliveries.length), pr, action: "synchronize", headSha };
    }
    deliveries.push(delivery);
    sends.push({ delivery, redelivery: false });
  }
  return { pullRequests, deliveries, sends };
}

/** The key check runs are matched on: the repository and the head commit. */
export function headKey(owner: string, repo: string, headSha: string): string {
  return `${owner}/${repo}@${headSha}`;
}
