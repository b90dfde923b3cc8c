import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RandomStreams } from "@clustersim/sim-core";
import { type Task, traceTasks } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

const SAMPLE = new URL("../../../shared/traces/azure-functions-2019/1/", import.meta.url).pathname;

/** The first `n` tasks of the sample read from `dir` with seed 1. */
async function firstTasks(dir: string, n: number, streamName?: string): Promise<Task[]> {
  const out: Task[] = [];
  for await (const t of traceTasks("azure-functions", dir, { streams: new RandomStreams(1), streamName })) {
    out.push(t);
    if (out.length === n) break;
  }
  return out;
}

describe("Azure Functions trace tasks", () => {
  it("draw the same tasks wherever the trace lies (the stream is not named after the path)", async () => {
    const a = join(mkdtempSync(join(tmpdir(), "clustersim-az-a-")), "trace");
    const b = join(mkdtempSync(join(tmpdir(), "clustersim-az-bb-")), "nested", "trace");
    cpSync(SAMPLE, a, { recursive: true });
    cpSync(SAMPLE, b, { recursive: true });
    const fromA = await firstTasks(a, 500);
    expect(fromA).toHaveLength(500);
    expect(await firstTasks(b, 500)).toEqual(fromA);
    expect(await firstTasks(SAMPLE, 500)).toEqual(fromA);
  });

  it("draw from the stream the caller names", async () => {
    const one = await firstTasks(SAMPLE, 200, "replay/trace");
    expect(await firstTasks(SAMPLE, 200, "replay/trace")).toEqual(one);
    const other = await firstTasks(SAMPLE, 200, "other/trace");
    expect(other.map((t) => t.arrivalS)).not.toEqual(one.map((t) => t.arrivalS));
  });
});

describe("numbers in traces", () => {
  it("are decimal: a hexadecimal field is a bad line, not 16", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { loadSwf, TraceError } = await import("@clustersim/workloads");
    const file = join(mkdtempSync(join(tmpdir(), "clustersim-hex-")), "hex.swf");
    // Job 1: submit time 0x10. SWF has 18 fields.
    writeFileSync(file, "1 0x10 0 5 1 -1 -1 1 5 -1 1 1 1 1 1 -1 -1 -1\n");
    const read = async () => {
      for await (const _ of loadSwf(file)) {
        // reading is the test
      }
    };
    await expect(read()).rejects.toThrow(TraceError);
    await expect(read()).rejects.toThrow(/expected a decimal number, found "0x10"/);
  });
});

describe("Alibaba v2017 jobs", () => {
  it("come out in arrival order though the file is not quite (rows are sorted, ties kept in file order)", async () => {
    // As in the real jobs.csv, a row submitted at 51,177 s follows one at 51,179 s.
    const file = join(mkdtempSync(join(tmpdir(), "clustersim-a17-")), "jobs.csv");
    writeFileSync(
      file,
      [
        ",submit_time,duration,cpu,memory,job_id,task_id,instances_num,disk",
        "0,51179,10,1.0,0.01,1,1,2,0",
        "1,51177,20,0.5,0.01,2,1,1,0",
        "2,51179,30,1.0,0.01,3,1,1,0",
      ].join("\n"),
    );
    const out: Task[] = [];
    for await (const t of traceTasks("alibaba-v2017-jobs", file, { machine: { cpuMilli: 96_000, memoryMiB: 1024 } }))
      out.push(t);
    expect(out.map((t) => [t.arrivalS, t.app])).toEqual([
      [51177, "2"],
      [51179, "1"],
      [51179, "1"],
      [51179, "3"],
    ]);
  });
});
