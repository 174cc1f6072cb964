// Reading a file people name on the command line without trusting its size: `validate /dev/zero`,
// a FIFO or a 2 GB log given by mistake is refused after the limit, not read into memory. The size
// reported by stat cannot be trusted (/dev/zero says 0), so the read itself stops one byte past it.
import { closeSync, openSync, readSync } from 'node:fs';

export class FileTooLargeError extends Error {
  constructor(
    readonly path: string,
    readonly limit: number,
  ) {
    super(`${path} is larger than ${limit} bytes`);
  }
}

/** The file's bytes; throws FileTooLargeError past `limit` bytes, and the fs error when it cannot be read. */
export function readBounded(path: string, limit: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, limit + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > limit) throw new FileTooLargeError(path, limit);
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}
