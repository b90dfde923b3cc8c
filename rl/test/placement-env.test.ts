import { OnlineLoop, Run } from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { PlacementEnv } from "@clustersim/rl";
import { createPlacement } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { task } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

/** Four nodes with 2 GPUs each; 40 pods of a seed's random shapes (shares and whole GPUs), long-running. */
function episode(seed: number) {
  const r = new RandomStreams(seed).get("pods");
  const cluster = new ClusterState(
    Array.from({ length: 4 }, () => ({ cpuMilli: 32_000, memoryMiB: 131_072, gpus: 2 })),
  );
  const tasks = Array.from({ length: 40 }, (_, i) => {
    const whole = r.next() < 0.3;
    return task({
      id: i,
      arrivalS: i,
      runS: 10_000,
      cpuMilli: 1000 + 1000 * r.int(0, 3),
      memoryMiB: 4096,
      gpus: 1,
      gpuMilli: whole ? 1000 : 250 * r.int(1, 3),
    });
  });
  return { cluster, tasks, untilS: 100 };
}

/** The first allowed node (the last entry, "no node", is always allowed). */
const firstAllowed = (mask: Uint8Array) => mask.indexOf(1);

describe("the placement environment", () => {
  it("choosing the first node the mask allows reaches first fit's GPU share; rewards sum to the share placed", () => {
    const env = new PlacementEnv({ episode });
    let { info } = env.reset(3);
    let total = 0;
    let steps = 0;
    let refused = 0;
    for (;;) {
      // A node the mask leaves out is refused (the pod does not fit it).
      const out = info.mask.indexOf(0);
      if (out >= 0 && out < env.nodeCount) {
        expect(() => env.step(out)).toThrow(/is masked out/);
        refused++;
      }
      const s = env.step(firstAllowed(info.mask));
      total += s.reward;
      steps++;
      info = s.info;
      if (s.terminated || s.truncated) break;
    }
    const e = episode(3);
    new Run({
      cluster: e.cluster,
      tasks: e.tasks,
      loop: new OnlineLoop({ strategy: createPlacement("first-fit", {}, { rng: new RandomStreams(1).get("s") }) }),
      untilS: e.untilS,
    }).runToEndSync();
    const t = e.cluster.totals(-1);
    expect(total).toBeCloseTo(t.allocatedGpuMilli / t.capacityGpuMilli, 9);
    expect(total).toBeGreaterThan(0.5);
    expect(steps).toBeGreaterThanOrEqual(40);
    expect(refused).toBeGreaterThan(0);
  });

  it("is reproducible for a seed, masks what does not fit, and truncates an agent that never places", () => {
    const trace = (seed: number) => {
      const env = new PlacementEnv({ episode });
      const first = env.reset(seed);
      const s = env.step(firstAllowed(first.info.mask));
      return [...first.observation, ...s.observation].join(",");
    };
    expect(trace(5)).toBe(trace(5));
    expect(trace(6)).not.toBe(trace(5));
    const env = new PlacementEnv({ episode, maxSteps: 25 });
    const { observation, info } = env.reset(5);
    expect(observation).toHaveLength(env.observationSize);
    // Waiting is always allowed.
    expect(info.mask[env.nodeCount]).toBe(1);
    let s = env.step(env.nodeCount);
    while (!s.terminated && !s.truncated) s = env.step(env.nodeCount);
    expect(s.truncated).toBe(true);
    expect(s.reward).toBe(0);
    expect(() => env.step(99)).toThrow(/expected an action in 0\.\.4/);
  });
});
