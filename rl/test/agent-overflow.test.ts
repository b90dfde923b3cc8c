import { readFileSync } from "node:fs";
import { ClusterState } from "@clustersim/hardware-models";
import {
  foundValue,
  InputError,
  kernelAgent,
  kernelQueueScore,
  learnedPlacementScore,
  placementAgent,
} from "@clustersim/rl";
import type { CycleContext, Pod, QueuedJob, TypicalPod } from "@clustersim/schedulers";
import { describe, expect, it } from "vitest";

const QUEUE_FILE = new URL("../../examples/rl/ppo-queue-lublin1.json", import.meta.url).pathname;
const PLACEMENT_FILE = new URL("../../examples/rl/ppo-placement-openb.json", import.meta.url).pathname;
/** A shipped checkpoint with every parameter set to `v`: finite, so the checkpoint check passes it. */
const every = (file: string, v: number) => {
  const c = JSON.parse(readFileSync(file, "utf8"));
  return { ...c, params: c.params.map(() => v) };
};
const TAIL = "(the checkpoint's weights overflow on these inputs: its scores cannot rank the choices)";
const refusal = (score: () => unknown) => {
  try {
    score();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error("expected the scores to be refused");
};

// Every weight and bias w, inputs x ≥ 0 (features in [0, 1)) summing to S: a layer of n inputs each a
// gives w·(1 + n·a) per output (ReLU passes them, all positive). The queue features hold four 1s
// (memory, user, group, executable unknown), so 4 ≤ S < 8; a placement row of 10 shares, 0 < S ≤ 10.
// w = 1e300: layer 1 ≈ 1e300·(1 + S) ≤ 1.1e301, finite; layer 2 ≈ 32 · 1e300 · 5e300, past 1.8e308.
// w = 1e100: layer 1 ≤ 1.1e101, layer 2 ≈ 32e100 · layer 1 ≤ 3.6e202, layer 3 ≈ 16e100 · layer 2
// ≤ 5.7e303 (finite), layer 4 ≥ 8e100 · 16e100 · 32e100 · 1e100 = 4.1e404: Infinity.
describe("an agent whose finite weights overflow on the way is refused, naming the checkpoint and the layer", () => {
  const job = { procs: 4, reqTimeS: 3600 } as QueuedJob;

  it.each([
    [1e300, "actor.layer2"],
    [1e100, "actor.layer4"],
  ])("a queue agent (rl-kernel) of weights %d: %s", (w, layer) => {
    const agent = kernelAgent(every(QUEUE_FILE, w), "s.yaml: scheduler.params.checkpoint (ck.json)");
    const score = kernelQueueScore(agent, 256, () => true);
    expect(refusal(() => score(job, 0))).toBe(
      `s.yaml: scheduler.params.checkpoint (ck.json): ${layer}: expected finite outputs, found Infinity ${TAIL}`,
    );
  });

  it("a sound queue agent scores as before", () => {
    const score = kernelQueueScore(kernelAgent(JSON.parse(readFileSync(QUEUE_FILE, "utf8")), "q"), 256, () => true);
    expect(Number.isFinite(score(job, 60))).toBe(true);
  });

  const TYPICAL: TypicalPod[] = [{ cpuMilli: 1000, gpus: 1, gpuMilli: 500, models: undefined, freq: 1 }];
  const pod: Pod = { id: 1, cpuMilli: 4000, memoryMiB: 8192, gpus: 1, gpuMilli: 500 };
  const ctx = () =>
    ({ view: new ClusterState([{ cpuMilli: 32_000, memoryMiB: 65_536, gpus: 4 }]), pod }) as unknown as CycleContext;

  it.each([
    [1e300, "actor.layer2"],
    [1e100, "actor.layer4"],
  ])("a placement agent (rl-placement, eval-rl) of weights %d: %s", (w, layer) => {
    const plugin = learnedPlacementScore(placementAgent(every(PLACEMENT_FILE, w), "pl.json"), TYPICAL);
    expect(refusal(() => plugin.score(ctx(), 0))).toBe(
      `pl.json: ${layer}: expected finite outputs, found Infinity ${TAIL}`,
    );
  });

  it("a sound placement agent scores as before", () => {
    const agent = placementAgent(JSON.parse(readFileSync(PLACEMENT_FILE, "utf8")), "p");
    expect(Number.isFinite(learnedPlacementScore(agent, TYPICAL).score(ctx(), 0))).toBe(true);
  });
});

describe("a value found in a request, as a refusal shows it", () => {
  it("quotes strings, names numbers JSON has rounded, and shows the rest as they are", () => {
    expect(foundValue("0")).toBe('"0"');
    expect(foundValue(0)).toBe("0");
    expect(foundValue(1.5)).toBe("1.5");
    expect(foundValue(Number.NaN)).toBe("NaN");
    expect(foundValue(undefined)).toBe("undefined");
    expect(foundValue([1])).toBe("[1]");
    // 2^53 + 1 parses as 2^53: its digits would name another number than the one sent.
    expect(foundValue(JSON.parse("9007199254740993"))).toBe(
      "a number above the largest safe integer (Number.MAX_SAFE_INTEGER, 9007199254740991)",
    );
    expect(foundValue(-(2 ** 53))).toBe(
      "a number below the smallest safe integer (Number.MIN_SAFE_INTEGER, -9007199254740991)",
    );
    expect(foundValue(9007199254740991)).toBe("9007199254740991");
    expect(foundValue("x".repeat(100))).toBe(`"${"x".repeat(79)}…`);
  });
});
