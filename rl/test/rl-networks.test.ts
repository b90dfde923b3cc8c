import { KernelNetworks, Mlp, PLACEMENT_FEATURES, PLACEMENT_STATE, PlacementNetworks } from "@clustersim/rl";
import { RandomStreams } from "@clustersim/sim-core";
import { describe, expect, it } from "vitest";

const rng = (name: string) => new RandomStreams(11).get(name);

/** Central finite difference of f at every parameter (or at every `every`-th, NaN elsewhere). */
function numericGradient(params: Float64Array, f: () => number, every = 1, h = 1e-6): Float64Array {
  const g = new Float64Array(params.length).fill(Number.NaN);
  for (let i = 0; i < params.length; i += every) {
    const x = params[i]!;
    params[i] = x + h;
    const up = f();
    params[i] = x - h;
    const down = f();
    params[i] = x;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

function expectClose(actual: Float64Array, expected: Float64Array, tol: number): void {
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    if (Number.isNaN(expected[i]!)) continue;
    const scale = Math.max(1, Math.abs(expected[i]!));
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / scale);
  }
  expect(worst).toBeLessThan(tol);
}

describe("the typed-array MLP", () => {
  it("computes a known network by hand", () => {
    // 2 → 2 (ReLU) → 1: W1 = [[1, -1], [2, 1]], b1 = [0, -1]; W2 = [[3, -2]], b2 = [0.5].
    const net = new Mlp([2, 2, 1]);
    const p = Float64Array.from([1, -1, 2, 1, 0, -1, 3, -2, 0.5]);
    const ws = net.workspace(2);
    const out = net.forward(p, [1, 2, -1, 0.5], 2, ws);
    // Row 1: h = relu([1 - 2, 2 + 2 - 1]) = [0, 3]; y = 0 - 6 + 0.5 = -5.5.
    // Row 2: h = relu([-1 - 0.5, -2 + 0.5 - 1]) = [0, 0]; y = 0.5.
    expect([...out.subarray(0, 2)]).toEqual([-5.5, 0.5]);
  });

  it("backpropagates the gradient finite differences give, for random networks, inputs and weights on the outputs", () => {
    for (const sizes of [
      [8, 32, 16, 8, 1],
      [5, 7, 3],
      [128, 64, 32, 8, 1],
    ]) {
      const r = rng(`mlp-${sizes.join("-")}`);
      const net = new Mlp(sizes, 3); // an offset: parameters of an earlier network come first
      const params = new Float64Array(3 + net.paramCount);
      for (let i = 0; i < params.length; i++) params[i] = r.normal(0, 0.5);
      const rows = 4;
      const x = Float64Array.from({ length: rows * sizes[0]! }, () => r.normal(0, 1));
      const weights = Float64Array.from({ length: rows * sizes.at(-1)! }, () => r.normal(0, 1));
      const ws = net.workspace(rows);
      const loss = () => {
        const y = net.forward(params, x, rows, ws);
        let s = 0;
        for (let i = 0; i < weights.length; i++) s += weights[i]! * y[i]!;
        return s;
      };
      const numeric = numericGradient(params, loss);
      loss();
      const grad = new Float64Array(params.length);
      const dX = new Float64Array(x.length);
      net.backward(params, grad, ws, weights, dX);
      expect([...grad.subarray(0, 3)]).toEqual([0, 0, 0]);
      expectClose(grad, numeric, 1e-6);
      // And the inputs' gradient.
      const dXNumeric = numericGradient(x, loss);
      expectClose(dX, dXNumeric, 1e-6);
    }
  });
});

describe("RLScheduler's kernel networks", () => {
  const nets = new KernelNetworks();
  it("have the published sizes: kernel 8-32-16-8-1 twice, and the critic's 128-64-32-8-1 head", () => {
    const kernel = 8 * 32 + 32 + 32 * 16 + 16 + 16 * 8 + 8 + 8 + 1;
    const head = 128 * 64 + 64 + 64 * 32 + 32 + 32 * 8 + 8 + 8 + 1;
    expect(nets.actorParams).toBe(kernel);
    expect(nets.paramCount).toBe(2 * kernel + head);
  });

  it("give log-probabilities over the jobs shown that sum to one, and their gradient and the value's match finite differences", () => {
    const r = rng("kernel");
    const params = nets.init(r);
    // Larger biases so that ReLUs are on and off across rows.
    for (let i = 0; i < params.length; i++) params[i] += r.normal(0, 0.05);
    const ws = nets.workspace();
    for (const count of [1, 5, 128]) {
      const rows = Float64Array.from({ length: count * 8 }, () => r.next());
      const logp = nets.logProbs(params, rows, count, ws);
      expect([...logp.subarray(0, count)].reduce((s, x) => s + Math.exp(x), 0)).toBeCloseTo(1, 12);

      const w = Float64Array.from({ length: count }, () => r.normal(0, 1));
      const objective = () => {
        const l = nets.logProbs(params, rows, count, ws);
        let s = 0;
        for (let i = 0; i < count; i++) s += w[i]! * l[i]!;
        return s;
      };
      // Every 7th parameter (7 is prime to every layer's width): each layer is checked, in less time.
      const numeric = numericGradient(params, objective, 7);
      objective();
      const grad = new Float64Array(params.length);
      nets.backwardLogProbs(params, grad, ws, w, count);
      expectClose(grad, numeric, 1e-6);
      // Only the actor's parameters move the policy.
      expect(grad.subarray(nets.actorParams).every((g) => g === 0)).toBe(true);

      const value = () => nets.value(params, rows, count, ws);
      const vNumeric = numericGradient(params, value, 7);
      value();
      const vGrad = new Float64Array(params.length);
      nets.backwardValue(params, vGrad, ws, 1, count);
      expectClose(vGrad, vNumeric, 1e-6);
      expect(vGrad.subarray(0, nets.actorParams).every((g) => g === 0)).toBe(true);
    }
  });
});

describe("the placement networks", () => {
  const nets = new PlacementNetworks(64);
  it("score each node with a 10-32-16-8-1 kernel and value the state with a 6-32-16-1 MLP", () => {
    expect(nets.actorParams).toBe(10 * 32 + 32 + 32 * 16 + 16 + 16 * 8 + 8 + 8 + 1);
    expect(nets.paramCount - nets.actorParams).toBe(6 * 32 + 32 + 32 * 16 + 16 + 16 + 1);
    expect(nets.blockSize(3)).toBe(3 * PLACEMENT_FEATURES + PLACEMENT_STATE);
  });

  it("give log-probabilities over the nodes offered that sum to one, and their gradient and the value's match finite differences", () => {
    const r = rng("placement");
    const params = nets.init(r);
    for (let i = 0; i < params.length; i++) params[i] += r.normal(0, 0.05);
    const ws = nets.workspace();
    for (const count of [1, 7, 64]) {
      const block = Float64Array.from({ length: nets.blockSize(count) + 2 }, () => r.next());
      const at = 2; // a block inside a batch: read from its offset
      const logp = nets.logProbs(params, block, count, ws, at);
      expect([...logp.subarray(0, count)].reduce((s, x) => s + Math.exp(x), 0)).toBeCloseTo(1, 12);
      const w = Float64Array.from({ length: count }, () => r.normal(0, 1));
      const objective = () => {
        const l = nets.logProbs(params, block, count, ws, at);
        let s = 0;
        for (let i = 0; i < count; i++) s += w[i]! * l[i]!;
        return s;
      };
      const numeric = numericGradient(params, objective, 3);
      objective();
      const grad = new Float64Array(params.length);
      nets.backwardLogProbs(params, grad, ws, w, count);
      expectClose(grad, numeric, 1e-6);
      expect(grad.subarray(nets.actorParams).every((g) => g === 0)).toBe(true);

      // The value reads only the state after the node rows: changing a row leaves it alone.
      const value = () => nets.value(params, block, count, ws, at);
      const v0 = value();
      block[at] += 0.5;
      expect(value()).toBe(v0);
      const vNumeric = numericGradient(params, value, 3);
      value();
      const vGrad = new Float64Array(params.length);
      nets.backwardValue(params, vGrad, ws, 1, count);
      expectClose(vGrad, vNumeric, 1e-6);
      expect(vGrad.subarray(0, nets.actorParams).every((g) => g === 0)).toBe(true);
    }
    expect(() => nets.logProbs(params, new Float64Array(nets.blockSize(65)), 65, ws)).toThrow(/1\.\.64 nodes/);
  });
});
