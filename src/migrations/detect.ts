import type { FrameworkId, Migration, SourceFile } from "./model.js";
import { alembicDetector } from "./frameworks/alembic.js";
import { dbmateDetector } from "./frameworks/dbmate.js";
import type { FrameworkDetector } from "./frameworks/detector.js";
import { dieselDetector } from "./frameworks/diesel.js";
import { djangoDetector } from "./frameworks/django.js";
import { drizzleDetector } from "./frameworks/drizzle.js";
import { ectoDetector } from "./frameworks/ecto.js";
import { efcoreDetector } from "./frameworks/efcore.js";
import { flywayDetector } from "./frameworks/flyway.js";
import { golangMigrateDetector } from "./frameworks/golang-migrate.js";
import { gooseDetector } from "./frameworks/goose.js";
import { knexDetector } from "./frameworks/knex.js";
import { laravelDetector } from "./frameworks/laravel.js";
import { liquibaseDetector } from "./frameworks/liquibase.js";
import { plainSqlDetector } from "./frameworks/plain-sql.js";
import { prismaDetector } from "./frameworks/prisma.js";
import { railsDetector } from "./frameworks/rails.js";
import { sequelizeDetector } from "./frameworks/sequelize.js";
import { sqitchDetector } from "./frameworks/sqitch.js";
import { sqlxDetector } from "./frameworks/sqlx.js";
import { typeormDetector } from "./frameworks/typeorm.js";

/**
 * Every detector, most specific first: markers inside the files (dbmate, goose, Liquibase), then
 * layouts that cannot be mistaken (sqitch, Diesel, Prisma, Drizzle, Flyway), then the numbered
 * up/down files (golang-migrate before sqlx, which only takes them when forced), the ORM
 * frameworks, and plain SQL for every `.sql` file left.
 */
export const FRAMEWORK_DETECTORS: readonly FrameworkDetector[] = [
  dbmateDetector,
  gooseDetector,
  liquibaseDetector,
  sqitchDetector,
  dieselDetector,
  prismaDetector,
  drizzleDetector,
  flywayDetector,
  golangMigrateDetector,
  sqlxDetector,
  railsDetector,
  djangoDetector,
  alembicDetector,
  typeormDetector,
  sequelizeDetector,
  knexDetector,
  laravelDetector,
  ectoDetector,
  efcoreDetector,
  plainSqlDetector,
];

export interface DetectOptions {
  /** Configured framework: it reads every file it can first, without needing the usual hints. */
  framework?: FrameworkId | undefined;
}

/**
 * The migrations among `files`, each file claimed by at most one framework. With
 * `options.framework`, that framework reads the files first and the rest are detected as usual.
 * Migrations come grouped by folder; within a folder, in each framework's apply order.
 */
export function detectMigrations(files: readonly SourceFile[], options: DetectOptions = {}): Migration[] {
  const forced = options.framework === undefined ? undefined : FRAMEWORK_DETECTORS.find((detector) => detector.id === options.framework);
  let remaining: readonly SourceFile[] = files;
  const migrations: Migration[] = [];
  const run = (detector: FrameworkDetector, isForced: boolean): void => {
    if (remaining.length === 0) return;
    const result = detector.detect(remaining, { forced: isForced });
    migrations.push(...result.migrations);
    const claimed = new Set(result.claimed);
    remaining = remaining.filter((file) => !claimed.has(file.path));
  };
  if (forced) run(forced, true);
  for (const detector of FRAMEWORK_DETECTORS) if (detector !== forced) run(detector, false);
  // A stable sort: within a folder, detectors' own order stands.
  return migrations.sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0));
}
