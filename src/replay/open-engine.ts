import { ReplayUnavailableError, type EngineOptions, type ReplayEngine } from "./engine.js";
import { openPgliteEngine } from "./pglite-engine.js";
import { openPostgresEngine, type PostgresEngineOptions } from "./postgres-engine.js";

export interface ReplayEngineConfig {
  /** "pglite": the embedded Postgres (the default); "postgres": an external server at databaseUrl. */
  engine: "pglite" | "postgres";
  /** The external server's URL (postgres://user:password@host:port/database); required for "postgres". */
  databaseUrl?: string;
}

/** Opens the engine the configuration names. */
export function openReplayEngine(config: ReplayEngineConfig, options: EngineOptions & PostgresEngineOptions): Promise<ReplayEngine> {
  switch (config.engine) {
    case "pglite":
      return openPgliteEngine(options);
    case "postgres": {
      const url = config.databaseUrl?.trim();
      if (!url) {
        return Promise.reject(new ReplayUnavailableError('the replay engine "postgres" needs a database URL (DATABASE_URL), and none is set', "engine"));
      }
      return openPostgresEngine(url, options);
    }
  }
}
