/**
 * `npm run build`, after tsc: the embedded replay engine's pristine cluster image, made once per
 * PGlite version into dist/replay-images/ (src/replay/pglite-pristine.ts). A new PGlite cluster
 * is initdb run in a second PGlite beside initdb's own WASM module, the replay's largest peak of
 * memory (bench:pglite-memory: 510 MB, against 284 MB opened from this image): made here, a
 * server's first replay opens the image instead. Skipped when the image is there already (tsc
 * and the bundle leave dist/replay-images/ alone). Plain JavaScript, run with npm start's flags.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath, URL } from "node:url";

const { openPgliteEngine } = await import("../dist/replay/pglite-engine.js");
const { pristineKey, SHIPPED_IMAGES } = await import("../dist/replay/pglite-pristine.js");
const { PGLITE_TAG } = await import("../dist/replay/runner.js");

const file = fileURLToPath(new URL(`${pristineKey(PGLITE_TAG)}.tar.gz`, SHIPPED_IMAGES));
if (!existsSync(file)) {
  const engine = await openPgliteEngine({ deadlineMs: 300_000 });
  try {
    const image = await engine.snapshot();
    mkdirSync(fileURLToPath(SHIPPED_IMAGES), { recursive: true });
    writeFileSync(file, image);
  } finally {
    await engine.close();
  }
}
