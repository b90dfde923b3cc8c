/**
 * The examples in examples/services, each a pair that holds everything else equal, with the effect
 * docs/guide/services.md states for it: direction and size.
 */
import { readReplay } from "@clustersim/replay";
import { loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const DIR = new URL("../../examples/services/", import.meta.url).pathname;

type Summary = Record<string, number> & { services: Record<string, Record<string, number>> };

async function run(name: string, sets: string[] = []): Promise<Summary> {
  const file = `${DIR}${name}.yaml`;
  return (await runScenario(loadScenarioFile(file, sets), file)).summary as Summary;
}

describe("examples/services", () => {
  it("HPA on CPU vs on requests per second, for an I/O-bound service: CPU never reaches its target, so the service stays small and breaks its objective", async () => {
    const cpu = await run("hpa-cpu");
    const rps = await run("hpa-rps");
    expect(cpu.serviceRequests).toBeCloseTo(rps.serviceRequests, 6);
    // Saturated, a replica uses 4 slots × 10 ms / 200 ms = 0.2 cores: 40% of its 500m request, below
    // the 60% target, so the HPA on CPU scales down to its minimum and stays there.
    expect(cpu.services.web.replicasMax).toBeLessThanOrEqual(4);
    expect(cpu.serviceSloViolationMinutes).toBeGreaterThan(100); // of 120
    expect(rps.serviceSloViolationMinutes).toBeLessThan(2);
    expect(cpu.serviceLatencyMeanS).toBeGreaterThan(50 * rps.serviceLatencyMeanS);
    // The price of meeting it: several times the replica-hours.
    expect(rps.serviceReplicaHours).toBeGreaterThan(4 * cpu.serviceReplicaHours);
  });

  it("a scale-down stabilisation window against flapping: without it, many times the scale events and SLO-violation minutes, for fewer replica-hours", async () => {
    const held = await run("flapping-window");
    const flap = await run("flapping-no-window");
    const events = (s: Summary) => s.services.api.scaleUps + s.services.api.scaleDowns;
    expect(events(flap)).toBeGreaterThan(30 * events(held));
    expect(flap.serviceSloViolationMinutes).toBeGreaterThan(20 * held.serviceSloViolationMinutes);
    expect(held.serviceSloViolationMinutes).toBeLessThan(3);
    expect(held.serviceReplicaHours).toBeGreaterThan(1.5 * flap.serviceReplicaHours);
  });

  it("a 10x step: serverless containers start within seconds where the Cluster Autoscaler's nodes take a minute; about the same bill", async () => {
    const ca = await run("burst-cluster-autoscaler");
    const eci = await run("burst-serverless");
    // Requests outside the objective (late or dropped): serverless misses under 0.6 times as many.
    expect(1 - eci.serviceSloAttainment).toBeLessThan(0.6 * (1 - ca.serviceSloAttainment));
    expect(eci.serviceSloViolationMinutes).toBeLessThan(ca.serviceSloViolationMinutes);
    expect(eci.serviceRequestsDropped).toBeLessThan(0.6 * ca.serviceRequestsDropped);
    // The autoscaler grew the group for the step (4 nodes for 2 h is 8 node-hours); serverless kept it at 4.
    expect(eci.nodeHours).toBeCloseTo(8, 9);
    expect(ca.nodeHours).toBeGreaterThan(1.4 * eci.nodeHours);
    expect(ca.serverlessCost).toBe(0);
    expect(eci.serverlessCost).toBeGreaterThan(0);
    const bill = (s: Summary) => s.cost + s.serverlessCost;
    expect(Math.abs(bill(eci) / bill(ca) - 1)).toBeLessThan(0.15);
    expect(eci.costWithServerless).toBeCloseTo(bill(eci), 9);
    // A run without serverless containers has the same total, its nodes' alone: the two compare.
    expect(ca.costWithServerless).toBe(ca.cost);
    // The replay's running bill ends where the summary's does (nodes counted at each minute's sample).
    const file = `${DIR}burst-serverless.yaml`;
    const lines: string[] = [];
    await runScenario(loadScenarioFile(file, ["outputs.replay=true"]), file, { onReplayLine: (l) => lines.push(l) });
    const totals = readReplay(lines.join("\n")).events.filter((e) => e[1] === "c");
    expect(totals).toHaveLength(121);
    expect(Math.abs((totals[120][3] as number) / eci.costWithServerless - 1)).toBeLessThan(0.01);
  });

  it("co-location: batch jobs on the room an over-provisioned service leaves nearly double the CPU in use and triple the jobs done, for about 2% of online latency", async () => {
    const on = await run("colocation-on");
    const off = await run("colocation-off");
    expect(on.serviceRequests).toBeCloseTo(off.serviceRequests, 6);
    expect(on.cpuUsedFraction).toBeGreaterThan(1.7 * off.cpuUsedFraction);
    expect(on.tasksCompleted).toBeGreaterThan(3 * off.tasksCompleted);
    expect(off.batchTierCoreHours).toBe(0);
    // Interference: busier nodes slow online requests, a little.
    const impact = on.serviceLatencyMeanS / off.serviceLatencyMeanS;
    expect(impact).toBeGreaterThan(1.005);
    expect(impact).toBeLessThan(1.05);
    expect(on.serviceSloViolationMinutes).toBeLessThan(0.1);
    // The summary names the assumptions the numbers rest on.
    const assumptions = (on as unknown as { assumptions: string[] }).assumptions.join("\n");
    expect(assumptions).toMatch(/service timeout: a request waiting 30 s leaves unserved/);
    expect(assumptions).toMatch(/co-location: online requests slow by 1 \+ 0\.1 ×/);
  });

  it("the VPA right-sizes an over-provisioned service once its bounds are narrow: requests fall to the target, usage and objective unchanged", async () => {
    const vpa = await run("vpa-recreate");
    const off = await run("vpa-off");
    const [on, rec] = [vpa.services.api, off.services.api];
    // Both recommend the same target: the 90th percentile of usage per replica (at most 0.33 cores
    // at the cycle's peak) plus 15%, within a 5% bucket.
    expect(on.vpaTargetMilli).toBe(rec.vpaTargetMilli);
    expect(on.vpaTargetMilli).toBeGreaterThan(0.33 * 1.15 * 1000 * 0.95);
    expect(on.vpaTargetMilli).toBeLessThan(0.33 * 1.15 * 1000 * 1.05);
    expect(on.cpuRequestMilliAtEnd).toBe(on.vpaTargetMilli);
    expect(rec.cpuRequestMilliAtEnd).toBe(2000);
    expect(rec.vpaRestarts).toBe(0);
    expect(on.vpaRestarts).toBe(20);
    expect(on.cpuRequestedCoreHours).toBeLessThan(0.6 * rec.cpuRequestedCoreHours);
    expect(on.cpuUsedCoreHours).toBeCloseTo(rec.cpuUsedCoreHours, 6);
    expect(vpa.serviceSloViolationMinutes).toBeLessThan(0.5);
  });

  it("the VPA in place right-sizes the same replicas without restarting them: no ready time lost", async () => {
    const file = `${DIR}vpa-inplace.yaml`;
    const lines: string[] = [];
    const done = await runScenario(loadScenarioFile(file, ["outputs.replay=true"]), file, {
      onReplayLine: (l) => lines.push(l),
    });
    const inPlace = (done.summary as Summary).services.api;
    const recreate = (await run("vpa-recreate")).services.api;
    expect(inPlace.vpaTargetMilli).toBe(recreate.vpaTargetMilli);
    expect(inPlace.cpuRequestMilliAtEnd).toBe(inPlace.vpaTargetMilli);
    expect([inPlace.vpaRestarts, inPlace.vpaInPlaceResizes, inPlace.vpaInPlaceFallbacks]).toEqual([0, 20, 0]);
    expect([recreate.vpaRestarts, recreate.vpaInPlaceResizes]).toEqual([20, 0]);
    // In place, all 20 replicas are ready from the first tick after their placement at 0 s to the end:
    // 20 × 43,199 replica-seconds. Without a readiness delay or an image to pull, a restarted replica's
    // replacement is placed and ready within the instant of its restart, but after that instant's tick:
    // 1 s lost per restart.
    expect(inPlace.readyReplicaHours * 3600).toBeCloseTo(20 * 43_199, 6);
    expect((inPlace.readyReplicaHours - recreate.readyReplicaHours) * 3600).toBeCloseTo(20, 6);
    // The same requests from the same minutes on, but for that tick (the target's 381 m, 1 s each).
    expect((inPlace.cpuRequestedCoreHours - recreate.cpuRequestedCoreHours) * 3600).toBeCloseTo(
      20 * (inPlace.vpaTargetMilli / 1000),
      6,
    );
    expect(inPlace.cpuUsedCoreHours).toBeCloseTo(recreate.cpuUsedCoreHours, 9);
    // The replay tells the viewer of each resize: a replica, its node, its new request.
    const resizes = readReplay(lines.join("\n")).events.filter((e) => e[1] === "z");
    expect(resizes).toHaveLength(20);
    for (const e of resizes) expect(e[4]).toBe(inPlace.vpaTargetMilli);
  });

  it("a rate read from a trace: every request of Azure's LLM conversation trace arrives once; KEDA scales from zero and back to it", async () => {
    // 19,366 requests in the trace, all within the run: exactly, with arrivals at the mean rate.
    const mean = await run("llm-trace-keda", ["services.0.latency=fluid-mean"]);
    expect(mean.serviceRequests).toBeCloseTo(19_366, 6);
    const s = await run("llm-trace-keda");
    // Drawn per tick (Poisson, the default), they add up to the trace's count within 4 standard deviations.
    expect(Math.abs(s.serviceRequests - 19_366)).toBeLessThan(4 * Math.sqrt(19_366));
    expect(s.serviceRequests).not.toBe(mean.serviceRequests);
    expect(s.serviceRequestsDropped).toBe(0);
    const llm = s.services.llm;
    expect(llm.replicasMax).toBeGreaterThan(1);
    expect(llm.replicasMax).toBeLessThanOrEqual(40);
    // No replica before the first request; none left 5 minutes after the last (the trace spans under an hour).
    expect(llm.replicasAtEnd).toBe(0);
    expect(llm.scaleDowns).toBeGreaterThan(0);
  });

  it("the replay holds the services: objectives in the header, replicas ready and removed, traffic at every sample", async () => {
    const file = `${DIR}flapping-no-window.yaml`;
    const lines: string[] = [];
    const { summary } = await runScenario(loadScenarioFile(file, ["outputs.replay=true", "duration=30m"]), file, {
      onReplayLine: (l) => lines.push(l),
    });
    const { header, events } = readReplay(lines.join("\n"));
    expect(header.version).toBe(5);
    expect(header.services).toEqual([["api", 0.99, 0.5]]);
    const count = (code: string) => events.filter((e) => e[1] === code).length;
    const api = (summary as Summary).services.api;
    // Every replica placed started ("s") and, 20 s later, became ready ("r"); scaled-down ones were removed ("m").
    expect(count("r")).toBeGreaterThan(10);
    expect(count("r")).toBeLessThanOrEqual(count("s"));
    // Replicas still placed at the end: started, less removed.
    expect(count("s") - count("m")).toBeLessThanOrEqual(api.replicasAtEnd);
    expect(count("m")).toBeGreaterThan(0);
    for (const e of events.filter((x) => x[1] === "s")) expect(e[2]).toBeGreaterThanOrEqual(1e12);
    // One traffic line per sample (every 60 s from 0 to 30 min) for the one service.
    const v = events.filter((e) => e[1] === "v");
    expect(v).toHaveLength(31);
    expect(v[10]).toEqual([
      600,
      "v",
      0,
      expect.any(Number),
      expect.any(Number),
      expect.any(Number),
      expect.anything(),
      expect.any(Number),
    ]);
    for (let i = 1; i < events.length; i++) expect(events[i][0]).toBeGreaterThanOrEqual(events[i - 1][0]);
    // Nodes' CPU in use where it differs from their allocation: replicas use less than they request.
    const usage = events.filter((e) => e[1] === "n");
    expect(usage.length).toBeGreaterThan(0);
    for (const e of usage) expect(e[3]).toBeLessThan(16_000);
  });

  it("same spec and seed, same bytes: services' rows and summary, per-request model included; another seed differs", async () => {
    const file = `${DIR}flapping-no-window.yaml`;
    const once = async (seed: number) => {
      const rows: string[] = [];
      const set = ["services.0.latency=per-request", "duration=20m"];
      const { summary } = await runScenario(loadScenarioFile(file, set), file, {
        seed,
        onServiceRow: (l) => rows.push(l),
      });
      return JSON.stringify(summary) + rows.join("\n");
    };
    const a = await once(1);
    expect(await once(1)).toBe(a);
    expect(await once(2)).not.toBe(a);
    // The tick is a knob that moves results: 5-second ticks average over more traffic.
    const coarse = await runScenario(loadScenarioFile(file, ["duration=20m", "serviceTick=5"]), file);
    const fine = await runScenario(loadScenarioFile(file, ["duration=20m"]), file);
    expect((coarse.summary as Summary).serviceLatencyMeanS).not.toBe((fine.summary as Summary).serviceLatencyMeanS);
  });
});
