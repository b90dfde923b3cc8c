import { RandomStreams } from "@clustersim/sim-core";
import {
  AZURE_2019_FIT,
  applyTransforms,
  functionsWorkload,
  mergeByArrival,
  mmppWorkload,
  poissonWorkload,
  RateCurve,
  rateCurveWorkload,
  type Task,
  type TaskTemplate,
  task,
  thinnedArrivals,
  traceTasks,
} from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

const TRACES = new URL("../../../shared/traces/", import.meta.url).pathname;
const TEMPLATE: TaskTemplate = { runS: { dist: "exponential", mean: 10 }, cpuMilli: 500, memoryMiB: 1024 };

async function collect(src: AsyncIterable<Task> | Iterable<Task>): Promise<Task[]> {
  const out: Task[] = [];
  for await (const t of src) out.push(t);
  return out;
}

/** |observed − expected| within 5 Poisson standard deviations. */
function expectPoissonCount(observed: number, expected: number) {
  expect(Math.abs(observed - expected)).toBeLessThan(5 * Math.sqrt(expected));
}

describe("generators", () => {
  it("Poisson: count matches rate × time, arrivals ordered, sizes from the template", () => {
    const tasks = [...poissonWorkload("p", 2, TEMPLATE, new RandomStreams(1), { startS: 0, endS: 10_000 })];
    expectPoissonCount(tasks.length, 20_000);
    expect(tasks.every((t, i) => i === 0 || t.arrivalS >= tasks[i - 1].arrivalS)).toBe(true);
    const meanRun = tasks.reduce((a, t) => a + t.runS, 0) / tasks.length;
    expect(Math.abs(meanRun - 10)).toBeLessThan(5 * (10 / Math.sqrt(tasks.length)));
    expect(tasks.every((t) => t.cpuMilli === 500 && t.memoryMiB === 1024)).toBe(true);
  });

  it("diurnal: arrivals per phase follow the curve", () => {
    const spec = [{ type: "diurnal" as const, meanRatePerS: 1, amplitude: 0.8, periodS: 86_400, peakAtS: 14 * 3600 }];
    const tasks = [...rateCurveWorkload("d", spec, TEMPLATE, new RandomStreams(2), { startS: 0, endS: 4 * 86_400 })];
    const curve = new RateCurve(spec);
    for (const [a, b] of [
      [2 * 3600, 4 * 3600],
      [13 * 3600, 15 * 3600],
    ]) {
      const observed = tasks.filter((t) => t.arrivalS % 86_400 >= a && t.arrivalS % 86_400 < b).length;
      expectPoissonCount(observed, 4 * curve.expectedCount(a, b));
    }
  });

  it("a midnight surge: the minute after 00:00 has about `initialFraction` of the multiplier over the minute before", () => {
    // CALIBRATION.md, Double-11 2011: the first minute was 10x the minute before.
    const spec = [
      { type: "constant" as const, ratePerS: 50 },
      { type: "surge" as const, atS: 3600, multiplier: 10, initialFraction: 1, peakAfterS: 0, decayS: 1e9 },
    ];
    const arrivals = [...thinnedArrivals(new RateCurve(spec), new RandomStreams(3).get("a"), 0, 7200)];
    const before = arrivals.filter((t) => t >= 3540 && t < 3600).length;
    const after = arrivals.filter((t) => t >= 3600 && t < 3660).length;
    expectPoissonCount(before, 3000);
    expectPoissonCount(after, 30_000);
    const curve = new RateCurve([
      { type: "surge", atS: 100, multiplier: 5, initialFraction: 0.2, peakAfterS: 60, decayS: 30 },
    ]);
    expect([curve.at(99), curve.at(100), curve.at(160), curve.at(190)]).toEqual([
      1,
      1 + 4 * 0.2,
      5,
      1 + 4 * Math.exp(-1),
    ]);
    expect(curve.maxOn(0, 1000)).toBe(5);
    expect(curve.maxOn(170, 200)).toBeCloseTo(curve.at(170), 12);
  });

  it("MMPP: the long-run rate is the time-weighted mean of the state rates", () => {
    const states = [
      { ratePerS: 0.1, meanDurationS: 300 },
      { ratePerS: 2, meanDurationS: 60 },
    ];
    const horizon = 1_000_000;
    const tasks = [
      ...mmppWorkload("b", states, undefined, TEMPLATE, new RandomStreams(4), { startS: 0, endS: horizon }),
    ];
    const expectedRate = (0.1 * 300 + 2 * 60) / 360;
    // The random state durations dominate the variance: about 1% relative standard deviation over
    // ~2,800 cycles; allow 5%.
    expect(Math.abs(tasks.length / horizon - expectedRate) / expectedRate).toBeLessThan(0.05);
  });

  it("functions: the Azure 2019 skew (45% ≤ 1/h, 81% ≤ 1/min, top 18.6% carry > 99% of invocations)", () => {
    const streams = new RandomStreams(5);
    const rng = streams.get("check");
    const n = 20_000;
    const rates = Array.from(
      { length: n },
      () => 10 ** rng.normal(AZURE_2019_FIT.log10RatePerMinMu, AZURE_2019_FIT.log10RatePerMinSigma),
    ).sort((a, b) => b - a);
    const perHour = rates.filter((r) => r * 60 <= 1).length / n;
    const perMinute = rates.filter((r) => r <= 1).length / n;
    expect(perHour).toBeCloseTo(0.45, 1);
    expect(perMinute).toBeCloseTo(0.81, 1);
    const top = rates.slice(0, Math.round(0.186 * n)).reduce((a, b) => a + b, 0) / rates.reduce((a, b) => a + b, 0);
    expect(top).toBeGreaterThan(0.99);
    // The generator: total rate as asked, many functions, memory around 170 MiB median.
    const tasks = [
      ...functionsWorkload("f", { functions: 1000, scaleToInvocationsPerS: 20 }, streams, { startS: 0, endS: 3600 }),
    ];
    expectPoissonCount(tasks.length, 72_000);
    const mem = tasks.map((t) => t.memoryMiB).sort((a, b) => a - b);
    expect(mem[Math.floor(mem.length / 2)]).toBeGreaterThan(20);
  });

  it("is reproducible per seed and independent of other workloads' streams", () => {
    const a = [...poissonWorkload("x", 1, TEMPLATE, new RandomStreams(9), { startS: 0, endS: 100 })];
    const streams = new RandomStreams(9);
    [...poissonWorkload("other", 5, TEMPLATE, streams, { startS: 0, endS: 100 })];
    const b = [...poissonWorkload("x", 1, TEMPLATE, streams, { startS: 0, endS: 100 })];
    expect(b).toEqual(a);
  });
});

describe("transforms", () => {
  const base = () =>
    (async function* () {
      for (let i = 0; i < 10; i++) yield task({ arrivalS: 10 * i, gpus: i % 3, gpuMilli: 1000, cpuMilli: 100 * i });
    })();
  const rng = (k: number) => new RandomStreams(1).get(`t${k}`);

  it("window by time or index, with rebase", async () => {
    expect(
      (await collect(applyTransforms(base(), [{ type: "window", fromS: 20, toS: 50 }], rng))).map((t) => t.arrivalS),
    ).toEqual([20, 30, 40]);
    expect(
      (await collect(applyTransforms(base(), [{ type: "window", fromIndex: 7, rebase: true }], rng))).map(
        (t) => t.arrivalS,
      ),
    ).toEqual([0, 10, 20]);
    expect(
      (await collect(applyTransforms(base(), [{ type: "window", fromIndex: 2, count: 2 }], rng))).map(
        (t) => t.arrivalS,
      ),
    ).toEqual([20, 30]);
  });

  it("a window drawn per seed starts uniformly within its range, both ends included", async () => {
    const first = async (seed: number, uniform: [number, number]) =>
      (
        await collect(
          applyTransforms(base(), [{ type: "window", fromIndex: { uniform }, count: 1 }], () =>
            new RandomStreams(seed).get("w"),
          ),
        )
      )[0].arrivalS / 10;
    const seen = new Set<number>();
    for (let seed = 1; seed <= 200; seed++) {
      const i = await first(seed, [3, 6]);
      expect(i).toBeGreaterThanOrEqual(3);
      expect(i).toBeLessThanOrEqual(6);
      seen.add(i);
      // The same seed draws the same window.
      expect(await first(seed, [3, 6])).toBe(i);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
    expect(await first(9, [4, 4])).toBe(4);
  });

  it("time compression and filters", async () => {
    const out = await collect(
      applyTransforms(
        base(),
        [
          { type: "timeScale", factor: 2 },
          { type: "filter", field: "cpuMilli", op: ">=", value: 800 },
        ],
        rng,
      ),
    );
    expect(out.map((t) => t.arrivalS)).toEqual([40, 45]);
  });

  it("shuffle permutes who arrives when, keeping the arrival times", async () => {
    const out = await collect(applyTransforms(base(), [{ type: "shuffle" }], rng));
    expect(out.map((t) => t.arrivalS)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(out.map((t) => t.cpuMilli)).not.toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(out.map((t) => t.cpuMilli).sort((a, b) => a - b)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  it("sample with replacement until a GPU-demand target (the FGD protocol) on the real openb pods", async () => {
    const pods = traceTasks("openb-pods", `${TRACES}alibaba-gpu-v2023/openb_pod_list_default.csv`);
    const target = 1.3 * 6212;
    const out = await collect(
      applyTransforms(pods, [{ type: "sample", until: { field: "gpuDemand", total: target } }], rng),
    );
    const demand = out.reduce((a, t) => a + (t.gpus * t.gpuMilli) / 1000, 0);
    expect(demand).toBeGreaterThanOrEqual(target);
    expect(demand - target).toBeLessThanOrEqual(8); // the last pod asks for at most 8 GPUs
    const again = await collect(
      applyTransforms(
        traceTasks("openb-pods", `${TRACES}alibaba-gpu-v2023/openb_pod_list_default.csv`),
        [{ type: "sample", until: { field: "gpuDemand", total: target } }],
        rng,
      ),
    );
    expect(again).toEqual(out);
    await expect(
      collect(applyTransforms(base(), [{ type: "sample", until: { field: "memoryMiB", total: 1 } }], rng)),
    ).rejects.toThrow(/no task has a positive memoryMiB/);
  });
});

describe("merging workloads", () => {
  it("interleaves by arrival time, ties to the first listed, and numbers tasks", async () => {
    const a = [0, 5, 10].map((t) => task({ arrivalS: t, app: "a" }));
    const b = [5, 7].map((t) => task({ arrivalS: t, app: "b" }));
    const out = await collect(mergeByArrival([a, b]));
    expect(out.map((t) => `${t.id}:${t.app}@${t.arrivalS}`)).toEqual(["0:a@0", "1:a@5", "2:b@5", "3:b@7", "4:a@10"]);
  });

  it("refuses a stream that goes back in time", async () => {
    await expect(collect(mergeByArrival([[task({ arrivalS: 5 }), task({ arrivalS: 1 })]]))).rejects.toThrow(
      /workload 1: arrivalS: expected tasks in arrival order .*, found/,
    );
  });
});
