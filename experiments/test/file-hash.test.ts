import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileHashes, hashFile } from "../src/sweep/file-hash.js";
import { sha256, tmp } from "./sweep-fixtures.js";

describe("content hashes of the files a sweep reads", () => {
  it("hash a file read in chunks as its whole bytes hash, and an unreadable one as null", () => {
    const dir = tmp();
    // Over three 1 MiB chunks, the last one short.
    const bytes = randomBytes(3 * (1 << 20) + 5);
    writeFileSync(join(dir, "big.bin"), bytes);
    expect(hashFile(join(dir, "big.bin"))).toBe(sha256(bytes));
    writeFileSync(join(dir, "empty"), "");
    expect(hashFile(join(dir, "empty"))).toBe(sha256(""));
    expect(hashFile(join(dir, "missing"))).toBe(null);
    mkdirSync(join(dir, "sub"));
    expect(hashFile(join(dir, "sub"))).toBe(null);
  });

  it("read each file once per sweep invocation", () => {
    const dir = tmp();
    const f = join(dir, "trace.swf");
    writeFileSync(f, "a");
    const hashes = new FileHashes();
    expect(hashes.hash(f)).toBe(sha256("a"));
    // Changed while this invocation runs: the hash its runs were fingerprinted with stands.
    writeFileSync(f, "b");
    expect(hashes.hash(f)).toBe(sha256("a"));
    expect(new FileHashes().hash(f)).toBe(sha256("b"));
  });
});
