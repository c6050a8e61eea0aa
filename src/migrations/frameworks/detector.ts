import type { FrameworkId, Migration, SourceFile } from "../model.js";

/** How a detector is run. */
export interface DetectContext {
  /**
   * The framework was chosen by configuration (detection was wrong or ambiguous): read every file
   * this framework could have written, without the hints that auto-detection needs (folder names,
   * a Cargo.toml beside sqlx migrations, a Drizzle journal, …).
   */
  forced: boolean;
  /** golang-migrate's database URL has `x-multi-statement=true`: its driver sends statements one by one. */
  golangMigrate?: { multiStatement: boolean } | undefined;
  /**
   * Files of other SQL dialects were taken out before this detector (src/migrations/dialect.ts):
   * one whose name still says another dialect is here because the configuration's `dialects`
   * says to review it as PostgreSQL.
   */
  dialectsFiltered?: boolean;
}

export interface DetectionResult {
  migrations: Migration[];
  /** Every path this framework owns (migration files and their metadata); no other detector reads them. */
  claimed: string[];
}

export interface FrameworkDetector {
  id: FrameworkId;
  /** From all files given (paths + contents), the migrations this framework recognises, and the paths it claims. */
  detect(files: readonly SourceFile[], context?: DetectContext): DetectionResult;
}

export const AUTO_DETECT: DetectContext = { forced: false };
