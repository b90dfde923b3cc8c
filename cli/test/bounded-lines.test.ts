import { spawnSync } from "node:child_process";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { boundedLines } from "../src/commands/bounded-lines.js";

const BIN = new URL("../bin/clustersim.js", import.meta.url).pathname;
const QUEUE_ENV = new URL("../../examples/rl/queue-lublin1.yaml", import.meta.url).pathname;

async function read(chunks: string[], max: number) {
  const out: unknown[] = [];
  for await (const x of boundedLines(Readable.from(chunks.map((c) => Buffer.from(c))), max)) out.push(x);
  return out;
}

describe("request lines with a cap on their length", () => {
  it("cuts lines across chunks, drops a \\r before \\n, and names a line over the cap by its length", async () => {
    expect(await read(["ab", "c\r\nde\n", "\n0123456789", "ab\nok"], 8)).toEqual([
      { line: "abc" },
      { line: "de" },
      { line: "" },
      { tooLong: 12 },
      { line: "ok" },
    ]);
    expect(await read(["12345678\n123456789"], 8)).toEqual([{ line: "12345678" }, { tooLong: 9 }]);
  });

  it("env serve answers a 2 MiB line with an error and serves the next request", () => {
    const input = `${"x".repeat(2 << 20)}\n{"spaces":{}}\n`;
    const r = spawnSync(process.execPath, [BIN, "env", "serve", QUEUE_ENV], { input, encoding: "utf8" });
    expect(r.status).toBe(0);
    const replies = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(replies[0]).toEqual({ error: "expected a request of at most 1048576 bytes, found a line of 2097152" });
    expect(replies[1]).toEqual({ observationSize: 1024, actions: 128 });
  });
});
