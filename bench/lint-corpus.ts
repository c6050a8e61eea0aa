import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The generated lint corpus (golang-migrate layout): `files` up migrations of `perFile` statements
 * each, every one with a one-statement down. bench:lint (lint-vs-squawk.ts) and bench:lint-cache both
 * write it, so the two benchmarks measure the same corpus.
 */

/** Realistic migration statements: DDL of every kind the rules look at, and some DML. */
export function corpusStatement(file: number, i: number): string {
  const t = `t_${file}_${i % 7}`;
  switch (i % 12) {
    case 0:
      return `CREATE TABLE IF NOT EXISTS ${t}_${i} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  account_id bigint NOT NULL,\n  note text,\n  created_at timestamptz NOT NULL DEFAULT now()\n);`;
    case 1:
      return `ALTER TABLE orders ADD COLUMN c_${file}_${i} text DEFAULT 'x';`;
    case 2:
      return `CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_${file}_${i} ON orders (customer_id, created_at);`;
    case 3:
      return `ALTER TABLE orders ADD CONSTRAINT fk_${file}_${i} FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;`;
    case 4:
      return `ALTER TABLE orders VALIDATE CONSTRAINT fk_${file}_${i};`;
    case 5:
      return `SET lock_timeout = '2s';`;
    case 6:
      return `UPDATE orders SET status = 'new' WHERE id BETWEEN ${i * 1000} AND ${i * 1000 + 999};`;
    case 7:
      return `CREATE INDEX idx_plain_${file}_${i} ON orders (status);`;
    case 8:
      return `ALTER TABLE orders ALTER COLUMN c_${file}_${i - 7} SET NOT NULL;`;
    case 9:
      return `COMMENT ON COLUMN orders.status IS 'state of the order: new, paid, shipped';`;
    case 10:
      return `ALTER TABLE orders ADD COLUMN token_${file}_${i} uuid DEFAULT gen_random_uuid();`;
    default:
      return `INSERT INTO audit_log (kind, payload) VALUES ('migration', '{"file": ${file}, "step": ${i}}');`;
  }
}

/** Writes the corpus into `dir` (emptied first); returns the number of statements. */
export function writeLintCorpus(dir: string, files: number, perFile: number): number {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let count = 0;
  for (let f = 0; f < files; f++) {
    const version = String(f + 1).padStart(6, "0");
    const body = Array.from({ length: perFile }, (_, i) => corpusStatement(f, i)).join("\n\n");
    writeFileSync(join(dir, `${version}_step_${f}.up.sql`), `${body}\n`);
    writeFileSync(join(dir, `${version}_step_${f}.down.sql`), `DROP TABLE IF EXISTS t_${f}_0_0;\n`);
    count += perFile + 1;
  }
  return count;
}
