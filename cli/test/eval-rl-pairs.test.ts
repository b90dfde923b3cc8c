import { describe, expect, it } from "vitest";
import { pairedDifferences } from "../src/commands/eval-rl-pairs.js";

describe("eval-rl's paired differences", () => {
  it("pairs each agent with each heuristic of its trace and backfilling mode, window by window", () => {
    const figures = [
      { trace: "a.swf", policy: "f1", windows: [2, 2, 5] },
      { trace: "a.swf", policy: "agent", windows: [1, 2, 3] },
      { trace: "a.swf", policy: "f1+easy", windows: [1, 1, 1] },
      { trace: "a.swf", policy: "agent+easy", windows: [1, 1, 1] },
      { trace: "b.swf", policy: "f1", windows: [9, 9, 9] },
    ];
    const pairs = pairedDifferences(figures, ["agent"]);
    expect(pairs.map((p) => `${p.trace} ${p.agent} ${p.heuristic}`)).toEqual([
      "a.swf agent f1",
      "a.swf agent+easy f1+easy",
    ]);
    // Differences −1, 0, −2: mean −1, standard deviation 1, t(0.975, 2) = 4.30265 → ±4.30265/√3 = ±2.48414.
    expect(pairs[0]!.mean).toBeCloseTo(-1, 12);
    expect(pairs[0]!.low).toBeCloseTo(-3.48414, 4);
    expect(pairs[0]!.high).toBeCloseTo(1.48414, 4);
    // The same on every window: a difference of exactly 0, with no spread.
    expect(pairs[1]).toMatchObject({ mean: 0, low: 0, high: 0 });
  });

  it("refuses to pair figures of different windows", () => {
    const figures = [
      { trace: "a.swf", policy: "f1", windows: [1, 2] },
      { trace: "a.swf", policy: "agent", windows: [1, 2, 3] },
    ];
    expect(() => pairedDifferences(figures, ["agent"])).toThrow("ran different windows");
  });
});
