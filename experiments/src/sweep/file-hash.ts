import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";

/** Bytes read at a time: a trace of several GB is hashed in constant memory. */
const CHUNK = 1 << 20;

/**
 * SHA-256 of a file's content, `sha256:<hex>`, or null when it cannot be read (missing, a directory,
 * no permission: the run that reads it fails and says why). Read in chunks, never whole.
 */
export function hashFile(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  try {
    const hash = createHash("sha256");
    const buf = Buffer.allocUnsafe(CHUNK);
    for (let n = readSync(fd, buf, 0, CHUNK, null); n > 0; n = readSync(fd, buf, 0, CHUNK, null))
      hash.update(buf.subarray(0, n));
    return `sha256:${hash.digest("hex")}`;
  } catch {
    return null; // EISDIR and the like surface on the first read
  } finally {
    closeSync(fd);
  }
}

/**
 * Content hashes by absolute path, each file read once: a sweep's runs share their traces and
 * plug-ins, and hashing a large trace takes seconds. One instance per sweep invocation, so that a file
 * changed between two invocations is read again.
 */
export class FileHashes {
  private readonly byPath = new Map<string, string | null>();

  hash(path: string): string | null {
    let h = this.byPath.get(path);
    if (h === undefined) {
      h = hashFile(path);
      this.byPath.set(path, h);
    }
    return h;
  }
}
