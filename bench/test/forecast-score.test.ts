import { SeasonalNaive } from "@clustersim/engine";
import { describe, expect, it } from "vitest";
import { runSeries } from "../src/forecast/score.js";

describe("bench:forecast's scores", () => {
  it("scores seasonal naive on a hand-worked series: MAPE without zero actuals, RMSE, MASE", () => {
    // Season 2: train 1 2 1 4 (in-sample naive errors |1−1|, |4−2|: MAE 1), hold out 3 0 5 2.
    const y = [1, 2, 1, 4, 3, 0, 5, 2];
    const [s] = runSeries(new SeasonalNaive(2), y, 4, [1], 2).scores;
    // Forecasts a season back: 1 4 3 0 against 3 0 5 2: errors 2 −4 2 2.
    expect(s!.mae).toBe(2.5);
    expect(s!.rmse).toBeCloseTo(Math.sqrt((4 + 16 + 4 + 4) / 4), 12);
    expect(s!.mase).toBe(2.5);
    // The zero actual is skipped: (2/3 + 2/5 + 2/2) / 3.
    expect(s!.zeroActuals).toBe(1);
    expect(s!.mape).toBeCloseTo((2 / 3 + 2 / 5 + 1) / 3, 12);
    expect(s!.missing).toBe(0);
  });

  it("counts the held-out intervals a forecaster had nothing for, and scores only the rest", () => {
    // Season 3, the last 4 of 7 held out: 2 steps ahead, the first target (index 3) is forecast after
    // index 1, when seasonal naive has 2 values, no season yet; the others are exact (a pure season).
    const y = [5, 6, 7, 5, 6, 7, 5];
    const [s] = runSeries(new SeasonalNaive(3), y, 4, [2], 3).scores;
    expect(s!.missing).toBe(1);
    expect(s!.mae).toBe(0);
  });
});
