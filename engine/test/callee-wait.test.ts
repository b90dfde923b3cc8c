import { describe, expect, it } from "vitest";
import { exponentialServiceTime } from "../src/index.js";
import { FluidLatency } from "../src/services/latency/fluid-latency.js";
import { emptyFigures } from "../src/services/latency/latency-model.js";
import { ServiceTimeShape } from "../src/services/latency/service-time.js";

/**
 * What a backlogged caller reads of a fluid callee (FluidLatency.waitChangeAt): the change in the wait
 * a request would meet at the end of a tick that brings a given load. M/M/10 of 0.1 s: 100 a second.
 */
describe("a callee's wait at a load (what a backlogged caller reads)", () => {
  const callee = () =>
    new FluidLatency({ shape: new ServiceTimeShape(exponentialServiceTime(0.1)), targetS: 1, timeoutS: 20 });
  const f = emptyFigures();

  it("before its first tick tells no change; at the load it had, none; more load, more wait, through capacity", () => {
    const m = callee();
    expect(m.waitChangeAt(500, 1)).toBe(0);
    for (let t = 0; t < 60; t++) m.tick(t, 1, 80, 10, f);
    // (To the random part's last step: the tick's requests saw its average over the step, a caller its end.)
    expect(Math.abs(m.waitChangeAt(80, 1))).toBeLessThan(1e-5);
    let last = Number.NEGATIVE_INFINITY;
    for (let rate = 0; rate <= 200; rate += 0.5) {
      const change = m.waitChangeAt(rate, 1);
      expect(change).toBeGreaterThanOrEqual(last);
      last = change;
    }
    // Continuous at capacity; above it the backlog left at the tick's end waits (150 − 100 a second
    // for 1 s, served at 100 a second: 0.5 s) on top of the random part.
    expect(Math.abs(m.waitChangeAt(100 - 1e-9, 1) - m.waitChangeAt(100, 1))).toBeLessThan(1e-6);
    expect(m.waitChangeAt(150, 1) - m.waitChangeAt(100, 1)).toBeCloseTo(0.5, 9);
  });

  it("a wait built at capacity drains at the drift, 1 − ρ seconds a second, not at once", () => {
    const m = callee();
    // At ρ = 1 the random part spreads without drift: after 200 s its mean is about √(4Dt/π) with
    // D = (1 + 1)/(2·100), 1.6 s.
    for (let t = 0; t < 200; t++) m.tick(t, 1, 100, 10, f);
    const built = f.meanS - 0.1;
    expect(built).toBeGreaterThan(1);
    // At half the load the next tick's end is at most 0.5 s shorter (its M/M/10 steady state is ~0).
    const change = m.waitChangeAt(50, 1);
    expect(change).toBeLessThan(0);
    expect(change).toBeGreaterThan(-0.5 - 0.05);
  });

  it("with no servers, a call waits out the timeout; after every replica is lost, the random part is gone", () => {
    const m = callee();
    for (let t = 0; t < 10; t++) m.tick(t, 1, 80, 10, f);
    const waited = f.meanS - 0.1;
    m.tick(10, 1, 80, 0, f);
    expect(m.waitChangeAt(80, 1)).toBeCloseTo(20 - waited, 9);
    const lost = callee();
    for (let t = 0; t < 200; t++) lost.tick(t, 1, 100, 10, f);
    lost.loseAll(f);
    expect(lost.waitChangeAt(0, 1) + (f.meanS - 0.1)).toBeLessThan(1e-9);
  });
});
