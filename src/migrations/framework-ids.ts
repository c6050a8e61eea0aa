/**
 * Every framework id, at the bottom of the import graph (this module imports nothing): the
 * configuration validates `framework:` against it, and the registry in
 * src/migrations/frameworks/index.ts must hold one framework object per id, or it does not compile.
 * The order is the one the configuration's JSON Schema lists.
 */
export const FRAMEWORK_IDS = [
  // SQL-file frameworks: the statements are analysed.
  "golang-migrate",
  "pop",
  "dbmate",
  "goose",
  "flyway",
  "liquibase",
  "sqitch",
  "diesel",
  "sqlx",
  "prisma",
  "drizzle",
  "plain-sql",
  // ORM frameworks: checked for their rollbacks (text analysis of the migration code).
  "rails",
  "django",
  "alembic",
  "knex",
  "sequelize",
  "typeorm",
  "laravel",
  "ecto",
  "efcore",
] as const;

export type FrameworkId = (typeof FRAMEWORK_IDS)[number];
