/**
 * EASY backfilling's promise, on random queues (fast-check): with run times as estimated, the jobs it
 * lets start early never delay the reserved (first blocked) job: its reservation, recomputed after
 * they start, is no later than before.
 */
import { type Demand, mayBackfill, type RunningJob, reserve, takeExtra } from "@clustersim/schedulers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const CAPACITY: Demand = { cpuMilli: 64_000, memoryMiB: 262_144, gpuMilli: 8000 };
const demand = fc.record({
  cpuMilli: fc.integer({ min: 0, max: 32_000 }),
  memoryMiB: fc.integer({ min: 0, max: 131_072 }),
  gpuMilli: fc.constantFrom(0, 0, 1000, 4000),
});
const fits = (need: Demand, free: Demand) =>
  need.cpuMilli <= free.cpuMilli && need.memoryMiB <= free.memoryMiB && need.gpuMilli <= free.gpuMilli;

describe("EASY backfilling", () => {
  it("never delays the reserved job (exact estimates)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ need: demand, endS: fc.integer({ min: 1, max: 10_000 }) }), { maxLength: 12 }),
        demand,
        fc.array(fc.record({ need: demand, reqTimeS: fc.integer({ min: 1, max: 20_000 }) }), { maxLength: 20 }),
        (runningSpecs, head, candidates) => {
          const now = 0;
          // Running jobs, as many as fit the cluster in order.
          const free = { ...CAPACITY };
          const running: RunningJob[] = [];
          for (const r of runningSpecs) {
            if (!fits(r.need, free)) continue;
            running.push({ ...r.need, expectedEndS: r.endS });
            free.cpuMilli -= r.need.cpuMilli;
            free.memoryMiB -= r.need.memoryMiB;
            free.gpuMilli -= r.need.gpuMilli;
          }
          // The head is blocked now (else nothing is reserved) and fits the empty cluster.
          if (fits(head, free) || !fits(head, CAPACITY)) return;
          const res = reserve(running, free, head, now);
          const before = res.shadowS;
          for (const c of candidates) {
            if (!fits(c.need, free) || !mayBackfill(c.reqTimeS, c.need, now, res)) continue;
            running.push({ ...c.need, expectedEndS: now + c.reqTimeS });
            free.cpuMilli -= c.need.cpuMilli;
            free.memoryMiB -= c.need.memoryMiB;
            free.gpuMilli -= c.need.gpuMilli;
            if (now + c.reqTimeS > res.shadowS) takeExtra(res, c.need);
          }
          expect(reserve(running, free, head, now).shadowS).toBeLessThanOrEqual(before);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
