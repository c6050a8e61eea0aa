import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ReplayCache } from "./replay-migrations.js";

/**
 * Base schema images on disk, one gzipped PGlite data directory per base history: replaying the
 * same base again (every push of a pull request, every pull request on the same main) starts from
 * the image instead of running the whole history. The oldest images go beyond `maxEntries`.
 */
export class DirectoryImageCache implements ReplayCache {
  constructor(
    private readonly dir: string,
    private readonly maxEntries = 16,
  ) {}

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.path(key)));
    } catch {
      return undefined;
    }
  }

  async put(key: string, image: Uint8Array): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    // Written whole then renamed: a reader never sees half an image.
    const temporary = `${this.path(key)}.${randomUUID()}.tmp`;
    await writeFile(temporary, image);
    await rename(temporary, this.path(key));
    await this.prune();
  }

  async drop(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  private path(key: string): string {
    if (!/^[a-z0-9-]+$/.test(key)) throw new Error(`not a cache key: ${key}`);
    return join(this.dir, `${key}.tar.gz`);
  }

  private async prune(): Promise<void> {
    const names = (await readdir(this.dir)).filter((name) => name.endsWith(".tar.gz"));
    if (names.length <= this.maxEntries) return;
    const dated = await Promise.all(names.map(async (name) => ({ name, at: (await stat(join(this.dir, name))).mtimeMs })));
    dated.sort((a, b) => a.at - b.at);
    for (const { name } of dated.slice(0, dated.length - this.maxEntries)) await rm(join(this.dir, name), { force: true });
  }
}
