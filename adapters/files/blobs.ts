// File bytes in a folder under the data folder, each under its sha256 (two levels of folders by its
// first characters): the name a person gave a file is never a path here.
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileBlobs } from '../../engine/ports.ts';

const SHA256 = /^[0-9a-f]{64}$/;

export class FolderBlobs implements FileBlobs {
  constructor(private readonly dir: string) {}

  private pathOf(sha256: string): string {
    // The store only ever hands hex digests; anything else is a bug, not a path to follow.
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256.slice(0, 80)}`);
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  async put(sha256: string, data: Buffer): Promise<void> {
    const file = this.pathOf(sha256);
    await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true });
    // Written aside, then renamed: a reader never meets half a file, and two writers of the same
    // bytes both end with the same whole one.
    const part = `${file}.${process.pid}.${Date.now()}.part`;
    await writeFile(part, data);
    await rename(part, file);
  }

  async get(sha256: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.pathOf(sha256));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async has(sha256: string): Promise<boolean> {
    return access(this.pathOf(sha256)).then(
      () => true,
      () => false,
    );
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }
}
