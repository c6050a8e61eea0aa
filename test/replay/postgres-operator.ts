import pg from "pg";
import { testPostgresUrl } from "../helpers/postgres.js";

/**
 * The role the README asks an operator to give DATABASE_URL: LOGIN CREATEDB CREATEROLE, no
 * superuser, no membership; made on the test server (test/helpers/postgres.ts). Its URL, and the
 * superuser's, which the tests use to watch the server from outside.
 */

export const OPERATOR_ROLE = "data_engineer_operator";

export async function testOperatorUrls(): Promise<{ operator: string; superuser: string } | undefined> {
  const superuser = await testPostgresUrl();
  if (superuser === undefined) return undefined;
  const admin = new pg.Client({ connectionString: superuser });
  await admin.connect();
  try {
    await admin.query(
      `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${OPERATOR_ROLE}') THEN CREATE ROLE ${OPERATOR_ROLE} LOGIN CREATEDB CREATEROLE; END IF; END $$`,
    );
  } finally {
    await admin.end();
  }
  const url = new URL(superuser);
  url.username = OPERATOR_ROLE;
  url.password = "";
  return { operator: url.toString(), superuser };
}
