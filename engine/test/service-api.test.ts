import { type ControllerContext, constantServiceTime, type ServiceConfig, type ServiceView } from "@clustersim/engine";
import { RateCurve } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";
import { hpa, nodes, runServices, service } from "./service-fixtures.js";

/** A service of 4 replicas serving 20 requests/s of 0.1 s each, one at a time. */
const web = (fields: Partial<ServiceConfig>) =>
  service({
    initialReplicas: 4,
    maxReplicas: 20,
    serviceTime: constantServiceTime(0.1),
    rate: new RateCurve([{ type: "constant", ratePerS: 20 }]),
    ...fields,
  });

/** A run with `services` and one controller of the test's, which sees them through its context. */
const run = (services: ServiceConfig[], untilS: number, start: (ctx: ControllerContext) => void) =>
  runServices(nodes(4, 16), services, untilS, undefined, [{ name: "mine", start }]);

describe("services as a controller sees them (ctx.services)", () => {
  it("reads traffic, replicas, CPU and latency as of the last tick", () => {
    let seen: Record<string, unknown> | undefined;
    run([web({})], 60, (ctx) => {
      expect(ctx.services.map((s) => s.name)).toEqual(["web"]);
      expect(ctx.service("nope")).toBeUndefined();
      ctx.at(30, () => {
        const s = ctx.service("web")!;
        seen = {
          offered: s.offeredPerS,
          served: s.servedPerS,
          dropped: s.droppedPerS,
          replicas: s.replicas,
          placement: s.placement(),
          cpu: s.cpuUsedCores,
          bounds: [s.minReplicas, s.maxReplicas],
          within: s.withinObjective,
        };
        // 20 requests/s on 4 servers of 0.1 s (ρ 0.5, M/D/4): the p99 lies between the service time
        // and the service time plus a few of them.
        expect(s.latencyQuantileS(0.99)).toBeGreaterThan(0.1);
        expect(s.latencyQuantileS(0.99)).toBeLessThan(0.5);
      });
    });
    // 20 requests/s arrive and are served (no backlog at ρ 0.5), each costing 0.05 core-s: 1 core.
    expect(seen).toEqual({
      offered: 20,
      served: 20,
      dropped: 0,
      replicas: { desired: 4, pending: 0, starting: 0, ready: 4 },
      placement: { all: 4 },
      cpu: 1,
      bounds: [1, 20],
      within: 1,
    });
  });

  it("resizes a service without an autoscaler at once, within its bounds", () => {
    const counts: number[] = [];
    const c = run([web({})], 100, (ctx) => {
      const s = ctx.service("web")!;
      ctx.at(10, () => s.scaleTo(8));
      ctx.at(20, () => counts.push(s.replicas.desired));
      ctx.at(30, () => s.scaleTo(50)); // above the maximum of 20
      ctx.at(40, () => counts.push(s.replicas.desired));
      ctx.at(50, () => s.setBounds(2, 6)); // 20 is above the new maximum: down to 6 at once
      ctx.at(50, () => counts.push(s.replicas.desired));
      ctx.at(60, () => expect(() => s.scaleTo(2.5)).toThrow(/whole number of replicas/));
      ctx.at(60, () => expect(() => s.setBounds(5, 4)).toThrow(/0 ≤ min ≤ max/));
    });
    expect(counts).toEqual([8, 20, 6]);
    expect(c.sets[0].replicas).toBe(6);
  });

  it("raises an HPA's minimum: the HPA takes it at its next sync (upstream moves a count below min to min)", () => {
    const counts = new Map<number, number>();
    run(
      [
        web({
          initialReplicas: 2,
          autoscaler: hpa({ type: "servedRps", targetPerReplica: 10 }),
        }),
      ],
      200,
      (ctx) => {
        const s = ctx.service("web")!;
        ctx.at(100, () => s.setBounds(12, 20));
        for (const t of [100, 104, 106]) ctx.at(t + 0.5, () => counts.set(t, s.replicas.desired));
      },
    );
    // 20 requests/s at 10 per replica: 2 until the bounds change at 100 s; the sync at 105 s takes
    // the new minimum of 12.
    expect([counts.get(100), counts.get(104), counts.get(106)]).toEqual([2, 2, 12]);
  });

  it("asks a custom autoscaler every sync period and holds its answer within the bounds", () => {
    const asked: number[] = [];
    const wanted = [3, 7, 40, 0];
    const c = run(
      [
        web({
          customAutoscaler: {
            name: "mine",
            syncPeriodS: 20,
            desired: (s: ServiceView, nowS: number) => {
              asked.push(nowS);
              return wanted[asked.length - 1] ?? s.replicas.desired;
            },
          },
        }),
      ],
      100,
      () => {},
    );
    expect(asked).toEqual([20, 40, 60, 80, 100]);
    // 4 → 3 → 7 → 20 (40 held at the maximum) → 1 (0 held at the minimum), then unchanged: with the
    // start's 0 → 4, three scale-ups and two scale-downs.
    expect(c.sets[0].replicas).toBe(1);
    expect([c.sets[0].scaleUps, c.sets[0].scaleDowns]).toEqual([3, 2]);
  });
});
