// Preloaded (`node --import`) into the built server by test/server-lazy-packages.test.ts: appends
// the name of every package the process resolves (bare specifiers, `@scope/name` or `name`), once
// each, to the file named in RECORD_PACKAGES_FILE, and the URL of every file it resolves (the
// bundle's chunks among them) to RECORD_FILES_FILE, so the test can tell what starting it loaded.
import { appendFileSync } from "node:fs";
import { registerHooks } from "node:module";
import process from "node:process";

const out = process.env.RECORD_PACKAGES_FILE;
const files = process.env.RECORD_FILES_FILE;
const seen = new Set();
if (out) {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      if (files && resolved.url.startsWith("file:") && !seen.has(resolved.url)) {
        seen.add(resolved.url);
        appendFileSync(files, `${resolved.url}\n`);
      }
      if (!/^(\.|\/|node:|file:|data:|#)/.test(specifier)) {
        const parts = specifier.split("/");
        const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
        if (!seen.has(name)) {
          seen.add(name);
          appendFileSync(out, `${name}\n`);
        }
      }
      return resolved;
    },
  });
}
