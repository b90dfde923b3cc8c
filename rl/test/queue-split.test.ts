import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  evaluateQueue,
  InputError,
  type LoadedQueueConfig,
  QueueEnv,
  queueEnvOf,
  type RlCheckpoint,
  readCompatJobs,
  splitTrace,
  type TrainRlResult,
  trainRl,
} from "@clustersim/rl";
import { describe, expect, it } from "vitest";
import { readEnvFile } from "./env-file.js";

const LUBLIN1 = new URL("../../../shared/traces/swf/lublin_256.swf", import.meta.url).pathname;

function envFile(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), "clustersim-split-"));
  const file = join(dir, "env.yaml");
  writeFileSync(file, `env: queue\ntrace: ${LUBLIN1}\n${body}\n`);
  return file;
}

describe("the queue environment's temporal split", () => {
  it("puts test at the trace's end, validation before it and training before both (worked by hand)", () => {
    // 10,000 jobs: test = the last 3 × 1,024 = jobs 6,928 to 9,999; validation = the 2 × 1,024 before
    // (4,880 to 6,927); training = jobs 0 to 4,879.
    expect(splitTrace(10_000, { validationWindows: 2, testWindows: 3, windowJobs: 1024 })).toEqual({
      trainJobs: 4880,
      validationStarts: [4880, 5904],
      testStarts: [6928, 7952, 8976],
    });
  });

  it("draws every training episode from the training jobs, over the whole of them", async () => {
    const file = envFile("sequenceJobs: 256\nsplit: { validationWindows: 2, testWindows: 3 }");
    const env = (await queueEnvOf(readEnvFile(file) as LoadedQueueConfig)) as QueueEnv;
    const starts = Array.from({ length: 5000 }, (_, seed) => env.startOf(seed));
    // Episodes of 256 jobs end by job 4,879: starts from 0 to 4,624, and 5,000 draws reach both ends.
    expect(Math.max(...starts)).toBeLessThanOrEqual(4880 - 256);
    expect(Math.min(...starts)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...starts)).toBeGreaterThan(4600);
    expect(Math.min(...starts)).toBeLessThan(25);
    // Without a split the same file draws as RLScheduler does, over the whole trace: past the split's end.
    const whole = (await queueEnvOf(readEnvFile(envFile("sequenceJobs: 256")) as LoadedQueueConfig)) as QueueEnv;
    const paper = Array.from({ length: 5000 }, (_, seed) => whole.startOf(seed));
    expect(Math.max(...paper)).toBeGreaterThan(9000);
    expect(Math.min(...paper)).toBeGreaterThanOrEqual(256);
  });

  it("refuses what the split makes meaningless or impossible, naming the field", async () => {
    const refused = async (body: string) => queueEnvOf(readEnvFile(envFile(body)) as LoadedQueueConfig);
    await expect(
      refused("split: { validationWindows: 2, testWindows: 3 }\ntrain: { validationStarts: [0, 95] }"),
    ).rejects.toThrow(/"validationStarts"[\s\S]*the split gives the validation windows/);
    await expect(
      refused("split: { validationWindows: 2, testWindows: 3 }\ntrain: { validationJobs: 512 }"),
    ).rejects.toThrow(/"validationJobs"[\s\S]*the split's windowJobs \(1024\) or nothing, found 512/);
    // Left out, the validation windows are the split's size, whatever it is.
    const c = readEnvFile(envFile("split: { validationWindows: 1, testWindows: 1, windowJobs: 512 }"));
    expect(c.train).toMatchObject({ validationJobs: 512 });
    const tooMany = refused("sequenceJobs: 256\nsplit: { validationWindows: 4, testWindows: 6 }");
    await expect(tooMany).rejects.toThrow(InputError);
    await expect(tooMany).rejects.toThrow(
      /split: expected the trace's 10000 jobs to hold 10 windows of 1024 .* found 0 left/,
    );
  });

  it("trains under the split: validation on its windows, and the checkpoint records it for eval-rl", async () => {
    const file = envFile(
      "sequenceJobs: 64\nsplit: { validationWindows: 2, testWindows: 3, windowJobs: 64 }\ntrain: { epochs: 1, trajectories: 2, trainPiIters: 1, trainVIters: 1 }",
    );
    const r = (await trainRl(file, readEnvFile(file), { out: join(file, "..", "out") })) as TrainRlResult;
    const c = r.checkpoint as RlCheckpoint;
    expect(c.env.split).toEqual({ validationWindows: 2, testWindows: 3, windowJobs: 64 });
    const agent = JSON.parse(readFileSync(join(r.dir, "agent.json"), "utf8")) as RlCheckpoint;
    expect(agent.env.split).toEqual(c.env.split);
    // The epoch's validation figure is the agent's mean over the split's two validation windows, as
    // the evaluation's own path plays them (jobs 9,680 and 9,744 of 10,000: the 2 × 64 before the last 3 × 64).
    const validation = Number(readFileSync(join(r.dir, "curve.csv"), "utf8").trim().split("\n")[1]!.split(",").at(-1));
    const t = await readCompatJobs(LUBLIN1);
    const rows = evaluateQueue(
      (backfill) => new QueueEnv({ ...t, backfill, sequenceJobs: 64 }),
      { trace: "lublin", ...t, starts: [9680, 9744], windowJobs: 64 },
      [{ name: "agent", checkpoint: agent }],
    );
    const played = rows.find((x) => x.policy === "agent" && !x.backfill && x.metric === "boundedSlowdown")!;
    expect(validation).toBeCloseTo(played.value, 9);
  });
});
