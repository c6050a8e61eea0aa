import type { FrameworkId } from "../framework-ids.js";
import { alembicFramework } from "./alembic.js";
import { dbmateFramework } from "./dbmate.js";
import { dieselFramework } from "./diesel.js";
import { djangoFramework } from "./django.js";
import { drizzleFramework } from "./drizzle.js";
import { ectoFramework } from "./ecto.js";
import { efcoreFramework } from "./efcore.js";
import { flywayFramework } from "./flyway.js";
import type { Framework } from "./framework.js";
import { golangMigrateFramework } from "./golang-migrate.js";
import { gooseFramework } from "./goose.js";
import { knexFramework } from "./knex.js";
import { laravelFramework } from "./laravel.js";
import { liquibaseFramework } from "./liquibase.js";
import { plainSqlFramework } from "./plain-sql.js";
import { popFramework } from "./pop.js";
import { prismaFramework } from "./prisma.js";
import { railsFramework } from "./rails.js";
import { sequelizeFramework } from "./sequelize.js";
import { sqitchFramework } from "./sqitch.js";
import { sqlxFramework } from "./sqlx.js";
import { typeormFramework } from "./typeorm.js";

/**
 * Every framework, keyed by its id: a missing id, or an object filed under another framework's
 * id, is a type error. Everything else reads frameworks from here (detection, the review's
 * gather, `lint`, the default paths, the rules' advice).
 */
export const FRAMEWORKS: { readonly [Id in FrameworkId]: Framework<Id> } = {
  "golang-migrate": golangMigrateFramework,
  pop: popFramework,
  dbmate: dbmateFramework,
  goose: gooseFramework,
  flyway: flywayFramework,
  liquibase: liquibaseFramework,
  sqitch: sqitchFramework,
  diesel: dieselFramework,
  sqlx: sqlxFramework,
  prisma: prismaFramework,
  drizzle: drizzleFramework,
  "plain-sql": plainSqlFramework,
  rails: railsFramework,
  django: djangoFramework,
  alembic: alembicFramework,
  knex: knexFramework,
  sequelize: sequelizeFramework,
  typeorm: typeormFramework,
  laravel: laravelFramework,
  ecto: ectoFramework,
  efcore: efcoreFramework,
};

/**
 * The order detection asks frameworks, most specific first: markers inside the files (dbmate,
 * goose, Liquibase), then layouts that cannot be mistaken (sqitch, Diesel, Prisma, Drizzle,
 * Flyway), then the numbered up/down files (pop's, told by its dialect infixes and 20-digit
 * versions, before golang-migrate; golang-migrate before sqlx, which only takes them when
 * forced), the ORM frameworks, and plain SQL for every `.sql` file left.
 */
export const DETECTION_ORDER = [
  "dbmate",
  "goose",
  "liquibase",
  "sqitch",
  "diesel",
  "prisma",
  "drizzle",
  "flyway",
  "pop",
  "golang-migrate",
  "sqlx",
  "rails",
  "django",
  "alembic",
  "typeorm",
  "sequelize",
  "knex",
  "laravel",
  "ecto",
  "efcore",
  "plain-sql",
] as const satisfies readonly FrameworkId[];

/** A framework left out of DETECTION_ORDER would never be detected: that is a type error here. */
type Undetected = Exclude<FrameworkId, (typeof DETECTION_ORDER)[number]>;
const everyFrameworkDetected: [Undetected] extends [never] ? true : Undetected = true;
void everyFrameworkDetected;

/** Every framework object, in FRAMEWORK_IDS order. */
export function allFrameworks(): Framework[] {
  return Object.values(FRAMEWORKS);
}
