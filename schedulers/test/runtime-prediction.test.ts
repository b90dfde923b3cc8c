import { CORRECTION_STEPS_S, correctedPrediction, UserRunTimes } from "@clustersim/schedulers";
import { describe, expect, it } from "vitest";

describe("run times predicted from the user's history (Tsafrir, Etsion and Feitelson 2007)", () => {
  it("is the request until the user has two completed jobs, then the mean of the last two, capped by the request", () => {
    const h = new UserRunTimes();
    expect(h.predict("u", 1000)).toBe(1000);
    h.completed("u", 100);
    expect(h.predict("u", 1000)).toBe(1000);
    h.completed("u", 300);
    expect(h.predict("u", 1000)).toBe(200);
    expect(h.predict("u", 150)).toBe(150);
    // Only the last two count: (300 + 500) / 2.
    h.completed("u", 500);
    expect(h.predict("u", 1000)).toBe(400);
    // Users are apart; an unnamed user has no history.
    expect(h.predict("v", 1000)).toBe(1000);
    h.completed("", 10);
    h.completed("", 10);
    expect(h.predict("", 1000)).toBe(1000);
    // Jobs of no length predict 1 s, not 0 (WFP3 and UNI divide by it).
    h.completed("z", 0);
    h.completed("z", 0);
    expect(h.predict("z", 1000)).toBe(1);
  });

  it("grows a prediction a job outlives by the paper's steps, never past the request", () => {
    // Steps 1 min, 5, 15, 30 min, 1, 2, 5, 10, 20, 50, 100 h, added to the first prediction.
    expect(CORRECTION_STEPS_S).toEqual([60, 300, 900, 1800, 3600, 7200, 18000, 36000, 72000, 180000, 360000]);
    expect(correctedPrediction(200, 1, 100_000)).toBe(260);
    expect(correctedPrediction(200, 2, 100_000)).toBe(500);
    expect(correctedPrediction(200, 5, 100_000)).toBe(3800);
    expect(correctedPrediction(200, 8, 30_000)).toBe(30_000);
    expect(correctedPrediction(200, 11, 1e9)).toBe(360_200);
    // Past the last step, the request: a running job is never predicted to have ended.
    expect(correctedPrediction(200, 12, 1e9)).toBe(1e9);
  });
});
