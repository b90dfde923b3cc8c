/**
 * The capacity search's parts that run nothing: the objective language, the judgement of a metric over
 * seeds, and the bisection strategy (experiments/src/search/). The search end to end is in
 * cli/test/search.test.ts.
 */
import {
  bisect,
  checkMetrics,
  type Evaluation,
  judgeMetric,
  metricsAt,
  monotonicityNotes,
  type Objective,
  parseObjective,
} from "@clustersim/experiments";
import { describe, expect, it } from "vitest";

describe("the objective language", () => {
  it("reads comparisons joined by and, with wildcards, quoted keys, ≥ and ≤, and numbers in any JSON form", () => {
    expect(
      parseObjective('serviceWindows.midnight.*.sloAttainment ≥ 0.999 and cost<=2e1 and x."api.v2".p99 < .5'),
    ).toEqual([
      {
        metric: "serviceWindows.midnight.*.sloAttainment",
        path: ["serviceWindows", "midnight", "*", "sloAttainment"],
        op: ">=",
        threshold: 0.999,
      },
      { metric: "cost", path: ["cost"], op: "<=", threshold: 20 },
      { metric: 'x."api.v2".p99', path: ["x", "api.v2", "p99"], op: "<", threshold: 0.5 },
    ]);
    expect(parseObjective("waitMeanS ≤ -1 AND a.b > 3")).toMatchObject([
      { op: "<=", threshold: -1 },
      { path: ["a", "b"], op: ">", threshold: 3 },
    ]);
  });

  it("refuses bad text saying where, what it expected and what it found", () => {
    const error = (text: string) => {
      try {
        parseObjective(text);
      } catch (err) {
        return (err as Error).message;
      }
      return "parsed";
    };
    expect(error("")).toMatch(/^expected a comparison such as .*, found nothing$/);
    expect(error("waitMeanS = 1")).toBe('expected a comparison (>=, <=, >, <, ≥ or ≤), found "=" at character 11');
    expect(error("waitMeanS 1")).toBe(
      'expected a comparison (>=, <=, >, <, ≥ or ≤) after waitMeanS, found "1" at character 11',
    );
    expect(error("waitMeanS <=")).toBe("expected a number after waitMeanS <=, found the end");
    expect(error("waitMeanS <= one")).toBe('expected a number after waitMeanS <=, found "one" at character 14');
    expect(error("a > 1 or b < 2")).toBe('expected "and" or the end after a > 1, found "or" at character 7');
    expect(error("a. > 1")).toBe('expected a metric name after the dot, found ">" at character 4');
    expect(error("a > 1 and")).toBe("expected a metric name, found the end");
    expect(error('a."b > 1')).toBe('expected a closing " for the key at character 3, found none');
    expect(error("a ! 1")).toBe('expected a metric path, a comparison, a number or "and", found "!" at character 3');
  });
});

const SUMMARY = {
  cost: 12.5,
  waitMeanS: 3,
  services: {
    gateway: { sloAttainment: 0.99, latencyP99S: 0.4 },
    search: { sloAttainment: 1, latencyP99S: null },
  },
  serviceWindows: { midnight: { gateway: { sloAttainment: 0.9 }, search: { sloAttainment: 0.95 } } },
  assumptions: ["text"],
};

describe("metric paths into a summary", () => {
  it("expand * to every key at its level that has the rest of the path", () => {
    expect([...metricsAt(["services", "*", "sloAttainment"], SUMMARY)]).toEqual([
      ["services.gateway.sloAttainment", 0.99],
      ["services.search.sloAttainment", 1],
    ]);
    expect([...metricsAt(["serviceWindows", "*", "search", "sloAttainment"], SUMMARY)]).toEqual([
      ["serviceWindows.midnight.search.sloAttainment", 0.95],
    ]);
    // A null (JSON's NaN) is a metric without a value.
    expect([...metricsAt(["services", "*", "latencyP99S"], SUMMARY)]).toEqual([
      ["services.gateway.latencyP99S", 0.4],
      ["services.search.latencyP99S", null],
    ]);
    expect(metricsAt(["services", "*", "nothing"], SUMMARY).size).toBe(0);
  });

  it("are refused when no run reports them, with the nearest key that exists", () => {
    const check = (text: string) => {
      try {
        checkMetrics(parseObjective(text), SUMMARY);
      } catch (err) {
        return (err as Error).message;
      }
      return "ok";
    };
    expect(check("services.*.sloAttainment >= 0.99 and cost <= 20")).toBe("ok");
    expect(check("cots <= 20")).toBe(
      'cots: the runs report no such metric (the summary has no "cots"; did you mean cost?)',
    );
    expect(check("services.*.sloAtainment >= 0.9")).toBe(
      'services.*.sloAtainment: the runs report no such metric (services.gateway has no "sloAtainment"; did you mean services.*.sloAttainment?)',
    );
    expect(check("services.gatway.sloAttainment >= 0.9")).toMatch(/did you mean services\.gateway\.sloAttainment\?/);
    expect(check("services.gateway >= 0.9")).toMatch(
      /^services\.gateway: expected a number, found that services\.gateway is a section \(of sloAttainment, latencyP99S\)/,
    );
    expect(check("assumptions >= 1")).toBe("assumptions: expected a numeric metric, found a list at assumptions");
    expect(check("cost.x >= 1")).toBe('cost.x: expected a section at cost to look up "x" in, found a number');
  });
});

const at = (op: Objective["op"], threshold: number): Objective => ({ metric: "m", path: ["m"], op, threshold });

describe("a metric judged over seeds", () => {
  it("compares the one-sided Student-t bound with the threshold", () => {
    // Values 1, 2, 3: mean 2, standard deviation 1, t(0.95, 2 degrees of freedom) = 2.919986.
    const half = (2.919986 * 1) / Math.sqrt(3);
    const lower = judgeMetric(at(">=", 0.3), 0, "m", [1, 2, 3], 0.95);
    expect(lower.mean).toBe(2);
    expect(lower.bound).toBeCloseTo(2 - half, 5);
    expect(lower.meets).toBe(true); // 0.3141 >= 0.3
    expect(judgeMetric(at(">=", 0.32), 0, "m", [1, 2, 3], 0.95).meets).toBe(false);
    const upper = judgeMetric(at("<=", 3.7), 0, "m", [3, 1, 2], 0.95);
    expect(upper.bound).toBeCloseTo(2 + half, 5);
    expect(upper.meets).toBe(true); // 3.6859 <= 3.7
    expect(judgeMetric(at("<", 3.68), 0, "m", [1, 2, 3], 0.95).meets).toBe(false);
    // At 99%, t(0.99, 2) = 6.964557.
    expect(judgeMetric(at(">=", 0), 0, "m", [1, 2, 3], 0.99).bound).toBeCloseTo(2 - 6.964557 / Math.sqrt(3), 5);
  });

  it("compares the value itself when the interval is degenerate, and fails a seed that reports nothing", () => {
    expect(judgeMetric(at(">=", 5), 0, "m", [5, 5, 5], 0.95)).toMatchObject({
      mean: 5,
      bound: 5,
      degenerate: "same on every seed",
      meets: true,
    });
    expect(judgeMetric(at(">", 5), 0, "m", [5, 5, 5], 0.95).meets).toBe(false);
    expect(judgeMetric(at("<=", 0.5), 0, "m", [0.4], 0.95)).toMatchObject({
      bound: 0.4,
      degenerate: "one seed",
      meets: true,
    });
    const missing = judgeMetric(at(">=", 0), 0, "m", [1, null, 3], 0.95);
    expect(missing.meets).toBe(false);
    expect(missing.bound).toBeNaN();
  });
});

describe("the bisection", () => {
  /** The search against a known boundary: values >= `boundary` meet (none if it is `count`). */
  async function search(count: number, boundary: number, perRound: number) {
    const asked: number[][] = [];
    const answer = await bisect(count, perRound, async (indices) => {
      asked.push(indices);
      return indices.map((k) => k >= boundary);
    });
    return { answer, asked, judged: asked.flat() };
  }

  it("finds the smallest value meeting a monotone objective wherever it lies, one or several values a round", async () => {
    for (const count of [1, 2, 3, 7, 16, 40]) {
      for (let boundary = 0; boundary <= count; boundary++) {
        for (const perRound of [1, 2, 3]) {
          const { answer, judged } = await search(count, boundary, perRound);
          expect(answer, `count ${count}, boundary ${boundary}, ${perRound} a round`).toBe(
            boundary < count ? boundary : undefined,
          );
          expect(new Set(judged).size, "no value judged twice").toBe(judged.length);
        }
      }
    }
  });

  it("judges the largest value first and stops there when it fails; then the smallest", async () => {
    expect(await search(16, 16, 1)).toMatchObject({ answer: undefined, asked: [[15]] });
    expect(await search(16, 0, 1)).toMatchObject({ answer: 0, asked: [[15], [0]] });
    expect(await search(16, 0, 2)).toMatchObject({ answer: 0, asked: [[15, 0]] });
    // Then halving: 7, 11, 9, 10 for a boundary at 10 of 0..15.
    expect((await search(16, 10, 1)).asked).toEqual([[15], [0], [7], [11], [9], [10]]);
    // Bisection takes about log2 of the values.
    expect((await search(1025, 513, 1)).judged.length).toBeLessThanOrEqual(2 + 10);
  });
});

describe("evidence against monotonicity", () => {
  const objective = at(">=", 0.9);
  /** A value judged on three seeds, with its metric's value on each. */
  const judged = (value: number, values: number[]): Evaluation => {
    const m = judgeMetric(objective, 0, "m", values, 0.95);
    return { value, round: 1, meets: m.meets, runs: [], ran: 3, reused: 0, metrics: [m] };
  };

  it("names a value that fails above one that meets", () => {
    const notes = monotonicityNotes(
      [judged(8, [0.95, 0.96, 0.97]), judged(4, [0.95, 0.95, 0.96]), judged(6, [0.5, 0.6, 0.7])],
      [objective],
      "n",
      0.95,
    );
    expect(notes[0]).toMatchObject({
      kind: "verdict",
      smaller: 4,
      larger: 6,
      text: "n = 6 fails the objective although the smaller 4 meets it",
    });
  });

  it("names a metric that fails at the larger value and is worse there on the same seeds, not one that still meets", () => {
    // 2 → 3: worse on every seed by 0.1, 0.2, 0.15 and failing at 3: mean change −0.15, and its upper
    // 95% bound −0.15 + 2.919986 · 0.05 / √3 = −0.0657.
    const notes = monotonicityNotes(
      [judged(2, [0.8, 0.85, 0.8]), judged(3, [0.7, 0.65, 0.65])],
      [objective],
      "n",
      0.95,
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ kind: "metric", smaller: 2, larger: 3, metric: "m" });
    expect(notes[0].change).toBeCloseTo(-0.15, 10);
    expect(notes[0].bound).toBeCloseTo(-0.15 + (2.919986 * 0.05) / Math.sqrt(3), 5);
    // Worse, but meeting the threshold at the larger value: nothing to say about the verdict.
    expect(
      monotonicityNotes([judged(2, [0.99, 0.98, 0.99]), judged(3, [0.95, 0.94, 0.95])], [objective], "n", 0.95),
    ).toEqual([]);
    // Worse on one seed, better on others: no evidence.
    expect(
      monotonicityNotes([judged(2, [0.8, 0.7, 0.8]), judged(3, [0.7, 0.8, 0.85])], [objective], "n", 0.95),
    ).toEqual([]);
  });
});
