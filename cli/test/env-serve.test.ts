import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fgdPackingEnv, PlacementEnv, queueEnvOf, readFgdData } from "@clustersim/rl";
import { loadPackingEnvConfig, loadQueueEnvConfig } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";
import { scenarioEpisode } from "../src/commands/env-serve.js";

const CLIENT = new URL("../../examples/rl/clustersim_env.py", import.meta.url).pathname;

/** Four nodes of 2 GPUs; GPU-share pods arriving for a minute. */
function scenario(): string {
  const dir = mkdtempSync(join(tmpdir(), "clustersim-env-"));
  const file = join(dir, "gpu.yaml");
  writeFileSync(
    file,
    [
      "duration: 60s",
      "cluster:",
      "  nodeGroups:",
      '    - { name: gpu, count: 4, cpu: "32", memory: 128Gi, gpus: 2 }',
      "workloads:",
      "  - type: poisson",
      "    ratePerS: 1",
      '    task: { run: 1h, cpu: "2", memory: 4Gi, gpus: 1, gpuMilli: { dist: uniform, min: 200, max: 900 } }',
      "scheduler: { name: best-fit }",
    ].join("\n"),
  );
  return file;
}

/** An episode played in process taking the first allowed action each step: its steps and total reward. */
function firstAllowed(
  env: {
    reset(seed: number): { info: { mask: Uint8Array } };
    step(a: number): { reward: number; terminated: boolean; truncated: boolean; info: { mask: Uint8Array } };
  },
  seed: number,
): { steps: number; total: number } {
  let { info } = env.reset(seed);
  let total = 0;
  let steps = 0;
  for (;;) {
    const s = env.step(info.mask.indexOf(1));
    total += s.reward;
    steps++;
    info = s.info;
    if (s.terminated || s.truncated) return { steps, total };
  }
}

/** An episode played by the Python client taking the first allowed action each step: its steps and total reward. */
function playFromPython(file: string, seed: number): { steps: number; reward: number } {
  const r = spawnSync("python3", [CLIENT, file, String(seed)], { encoding: "utf8" });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as { steps: number; reward: number };
}

describe("the environments from Python (clustersim env serve)", () => {
  it("runs an episode through the standard-library client, with the rewards the environment gives in TypeScript", async () => {
    const file = scenario();
    const fromPython = playFromPython(file, 7);
    // The same policy (the first allowed action) in process, on the same episode.
    const episode = await scenarioEpisode(file, [], 7);
    const env = new PlacementEnv({ episode: () => episode });
    const { steps, total } = firstAllowed(env, 7);
    expect(fromPython.steps).toBe(steps);
    expect(fromPython.reward).toBeCloseTo(total, 9);
    expect(steps).toBeGreaterThan(30);
  });

  it("answers a bad request with an error line and goes on", () => {
    const file = scenario();
    const input = [
      '{"step": {"action": 0}}',
      "nonsense",
      '{"reset": {"seed": 1}}',
      '{"step": {"action": 99}}',
      "",
    ].join("\n");
    const r = spawnSync(
      process.execPath,
      [new URL("../bin/clustersim.js", import.meta.url).pathname, "env", "serve", file],
      {
        input,
        encoding: "utf8",
      },
    );
    expect(r.status).toBe(0);
    const replies = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(replies[0].error).toMatch(/no episode under way \(not begun, or ended\); call reset\(\)/);
    expect(replies[1].error).toMatch(/JSON/);
    expect(replies[2].observation).toHaveLength(3 * 4 + 3);
    expect(replies[3].error).toMatch(/expected an action in 0\.\.4/);
  });

  it("serves the queue environment of an environment file, with the rewards the environment gives in TypeScript", async () => {
    const file = new URL("../../examples/rl/queue-lublin1.yaml", import.meta.url).pathname;
    const fromPython = playFromPython(file, 5);
    const env = await queueEnvOf(loadQueueEnvConfig(file));
    const { steps, total } = firstAllowed(env, 5);
    expect(fromPython.steps).toBe(steps);
    expect(steps).toBe(loadQueueEnvConfig(file).sequenceJobs); // one decision per job, no backfilling
    expect(fromPython.reward).toBeCloseTo(total, 9);
    expect(total).toBeLessThan(-1); // minus a mean bounded slowdown, which is at least 1
  });

  it("serves GPU placement under FGD's protocol (env: packing), with the rewards the environment gives in TypeScript", async () => {
    const file = new URL("../../examples/rl/placement-openb.yaml", import.meta.url).pathname;
    const fromPython = playFromPython(file, 3);
    const c = loadPackingEnvConfig(file);
    const env = fgdPackingEnv(await readFgdData(c.podsPath, c.nodesPath), c.load, c.nodesPerEpisode);
    const { steps, total } = firstAllowed(env, 3);
    expect(fromPython.steps).toBe(steps);
    expect(steps).toBeGreaterThan(300);
    expect(fromPython.reward).toBeCloseTo(total, 9);
    expect(total).toBeLessThan(0); // minus the GPUs of the pods that failed: at 130% load, some do
  });
});
