#!/usr/bin/env node
// Compiled code of the bundle is cached on disk (module.enableCompileCache, Node >= 22.1) before the bundle is compiled.
import module from "node:module";
module.enableCompileCache?.();
const { runAction } = await import("./main.js");
await runAction();
