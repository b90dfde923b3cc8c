import { ClusterState } from "@clustersim/hardware-models";
import { featureScratch, learnedPlacementScore, nodeFragment, PlacementNetworks, placementRow } from "@clustersim/rl";
import type { CycleContext, Pod, TypicalPod } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { describe, expect, it } from "vitest";

/** One pod type: 1 core and half a GPU (FGD's fragment: free GPU thousandths it cannot use). */
const TYPICAL: TypicalPod[] = [{ cpuMilli: 1000, gpus: 1, gpuMilli: 500, models: undefined, freq: 1 }];

describe("a placement agent's features of a node", () => {
  // 32 cores, 64 GiB, 4 GPUs; a pod already holds 2 cores, 1 GiB and 700 thousandths of GPU 0.
  const c = new ClusterState([{ cpuMilli: 32_000, memoryMiB: 65_536, gpus: 4 }]);
  c.place(0, { cpuMilli: 2000, memoryMiB: 1024, gpus: 1, gpuMilli: 700 });
  const s = featureScratch();
  const before = nodeFragment(c, 0, TYPICAL, s);
  const row = (pod: Pod) => {
    const out = new Float64Array(10);
    placementRow(c, 0, pod, TYPICAL, before, out, 0, s);
    return [...out];
  };

  it("for a GPU share: the node before and after it lands on the GPU with the least free that fits", () => {
    // GPU 0 has 300 free, the others 1,000: the half-GPU type cannot use GPU 0's 300 (fragment 300).
    expect(before).toBe(300);
    const share = row({ id: 1, cpuMilli: 4000, memoryMiB: 8192, gpus: 1, gpuMilli: 200 });
    // The 200 goes to GPU 0 (300 free → 100): 3,100 free, 3 GPUs wholly free, fragment 100.
    const expected = [
      3300 / 8000,
      3100 / 8000,
      3 / 8,
      300 / 8000,
      100 / 8000,
      100 / 1000,
      26_000 / 128_000,
      (65_536 - 1024 - 8192) / 65_536,
      200 / 8000,
      4000 / 128_000,
    ];
    share.forEach((x, i) => expect(x, `feature ${i}`).toBeCloseTo(expected[i]!, 12));
  });

  it("for whole GPUs: the lowest-numbered free ones, and no share left", () => {
    const whole = row({ id: 2, cpuMilli: 8000, memoryMiB: 4096, gpus: 2, gpuMilli: 1000 });
    // GPUs 1 and 2 taken: free [300, 0, 0, 1000]; GPU 3 still hosts the type, GPU 0's 300 stays a fragment.
    expect(whole[1]).toBeCloseTo(1300 / 8000, 12);
    expect(whole[2]).toBeCloseTo(1 / 8, 12);
    expect(whole[4]).toBeCloseTo(300 / 8000, 12);
    expect(whole[5]).toBe(0);
    expect(whole[8]).toBeCloseTo(2000 / 8000, 12);
  });

  it("counts every idle thousandth as a fragment once the CPU left is too little for the type", () => {
    // 29,500 millicores asked: 500 left, under the type's 1,000, so all 3,300 free thousandths are fragment.
    const cpuHeavy = row({ id: 3, cpuMilli: 29_500, memoryMiB: 1024, gpus: 0, gpuMilli: 0 });
    expect(cpuHeavy[1]).toBeCloseTo(3300 / 8000, 12);
    expect(cpuHeavy[4]).toBeCloseTo(3300 / 8000, 12);
  });
});

describe("a trained placement agent as a score plugin", () => {
  it("renews a node's kept score when its free memory changes without a bind notice", () => {
    const c = new ClusterState([{ cpuMilli: 32_000, memoryMiB: 65_536, gpus: 4 }]);
    const params = new PlacementNetworks(1).init(new RandomStreams(3).get("init"));
    const kept = learnedPlacementScore({ params }, TYPICAL);
    const pod: Pod = { id: 1, cpuMilli: 4000, memoryMiB: 8192, gpus: 1, gpuMilli: 500 };
    const ctx = { view: c, pod } as unknown as CycleContext;
    const before = kept.score(ctx, 0);
    // A memory hold placed without telling the plugin (as a warm pool holds an idle sandbox's memory).
    c.place(0, { cpuMilli: 0, memoryMiB: 40_000 });
    const fresh = learnedPlacementScore({ params }, TYPICAL).score(ctx, 0);
    expect(fresh).not.toBe(before);
    expect(kept.score(ctx, 0)).toBe(fresh);
  });
});
