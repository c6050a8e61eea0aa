/**
 * Errors split by who is at fault, so that every failure can be reported with a reason the
 * reader can act on: the repository's own files or settings, the model, GitHub, or us.
 */
export abstract class AppError extends Error {
  /** Who can fix it: shown to users next to the message. */
  abstract readonly fault: "user" | "model" | "github" | "internal";

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A definition, configuration file or command line written by the user is wrong. */
export class UserInputError extends AppError {
  readonly fault = "user";
}

/** An agent definition file (agents/*.md) does not load; `problems` name the file and the key. */
export class AgentDefinitionError extends UserInputError {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${problems.join("; ")}`, options);
  }
}

/** A configuration file that does not load: the message names the file and the key. */
export class ConfigError extends UserInputError {}

/** The process environment lacks settings the server needs. */
export class EnvironmentError extends UserInputError {}

/** GitHub answered with an error or something we cannot use. */
export class GitHubApiError extends AppError {
  readonly fault = "github";
  /**
   * How long GitHub said to wait before trying again (ms, from when it answered), from its
   * Retry-After or x-ratelimit-reset on a rate limit: the job queue waits at least that long
   * before the job's next attempt.
   */
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    readonly status: number | undefined,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** The model misbehaved (bad output, budget exceeded). */
export class ModelBehaviorError extends AppError {
  readonly fault = "model";
}

/** A bug or an unexpected state in data-engineer itself. */
export class InternalError extends AppError {
  readonly fault = "internal";
}

/** The message of anything thrown, without assuming it is an Error. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}
