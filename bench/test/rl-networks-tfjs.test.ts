import { type DecisionBatch, KernelNetworks, policyGradient, valueGradient } from "@clustersim/rl";
import { RandomStreams } from "@clustersim/sim-core";
import { describe, expect, it } from "vitest";
import "@tensorflow/tfjs-backend-wasm";
import { paddedBatch, TfKernelNetworks, tf } from "../src/rl-networks/tfjs-kernel.js";

/** The largest difference relative to the largest gradient (TensorFlow.js computes in float32). */
function relativeGap(a: Float64Array, b: Float64Array): number {
  let gap = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    gap = Math.max(gap, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  expect(scale).toBeGreaterThan(0);
  return gap / scale;
}

describe("the typed-array kernel networks against TensorFlow.js's autodiff", () => {
  // Both backends bench:rl-networks times: the CPU backend (JavaScript) and WebAssembly (XNNPACK).
  it.each(["cpu", "wasm"])(
    "give the same PPO and value-loss gradients on random networks and batches (%s backend)",
    async (backend) => {
      await tf.setBackend(backend);
      expect(tf.getBackend()).toBe(backend);
      const nets = new KernelNetworks();
      const ws = nets.workspace();
      for (const seed of [1, 2, 3]) {
        const rng = new RandomStreams(seed).get("tfjs-check");
        const params = nets.init(rng);
        for (let i = 0; i < params.length; i++) params[i] += rng.normal(0, 0.05);
        const counts = [1, 3, 17, 128, 40, 2];
        const states = counts.map((count) => ({
          count,
          rows: Float32Array.from({ length: count * 8 }, () => rng.next()),
        }));
        const rowAt = new Int32Array(counts.length);
        const rows = new Float32Array(counts.reduce((s, c) => s + c * 8, 0));
        let at = 0;
        states.forEach((s, k) => {
          rowAt[k] = at;
          rows.set(s.rows, at);
          at += s.count * 8;
        });
        const action = Int32Array.from(counts, (c) => Math.floor(rng.next() * c));
        // Old log-probabilities near the current ones, some far enough that PPO's clip is binding.
        const logpOld = Float64Array.from(states, (s, k) => {
          const lp = nets.logProbs(params, s.rows, s.count, ws)[action[k]!]!;
          return lp + rng.normal(0, 0.3);
        });
        const advantage = Float64Array.from(counts, () => rng.normal(0, 1));
        const returns = Float64Array.from(counts, () => rng.normal(-100, 30));
        const batch: DecisionBatch = {
          size: counts.length,
          count: Int32Array.from(counts),
          rowAt,
          rows,
          action,
          logpOld,
          advantage,
          returns,
        };
        const ours = new Float64Array(nets.paramCount);
        const { loss } = policyGradient(nets, params, ours, batch, 0.2, ws);
        const oursV = new Float64Array(nets.paramCount);
        const vLoss = valueGradient(nets, params, oursV, batch, ws);

        const tfNets = new TfKernelNetworks(nets, params);
        const padded = paddedBatch(states, [...action], [...logpOld], [...advantage], [...returns]);
        const theirs = tfNets.flatGradient(() => tfNets.policyLoss(padded, 0.2));
        const theirsV = tfNets.flatGradient(() => tfNets.valueLoss(padded));
        expect(tfNets.policyLoss(padded, 0.2).dataSync()[0]).toBeCloseTo(loss, 4);
        expect(tfNets.valueLoss(padded).dataSync()[0]! / vLoss).toBeCloseTo(1, 5);
        expect(relativeGap(ours, theirs)).toBeLessThan(1e-4);
        expect(relativeGap(oursV, theirsV)).toBeLessThan(1e-4);
        tfNets.dispose();
      }
    },
  );
});
