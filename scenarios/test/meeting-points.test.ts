import { assembleRun, Run } from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { compileScenario, loadScenarioFile } from "@clustersim/scenarios";
import { task } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";
import { CpuLedger } from "./support/cpu-ledger.js";

const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;

/**
 * Where two subsystems share state, a whole run with both, checked by conserved quantities: the
 * invariant checker (every task in one state; tasks conserved at the end; free resources within
 * bounds) and the CPU ledger (what the cluster books equals what the run's events say runs). Each case
 * also asserts that the two subsystems did meet (a preemption happened, a node was added, ...), so a
 * pass is not a run in which one of them stayed idle.
 */
async function checkedRun(name: string, sets: string[]) {
  const file = EXAMPLES + name;
  const { plan } = await compileScenario(loadScenarioFile(file, sets), file);
  let ledger!: CpuLedger;
  const { run, summary } = assembleRun(plan, { check: true }, (o) => {
    ledger = new CpuLedger(o.cluster);
    return new Run({ ...o, listeners: [...(o.listeners ?? []), ledger] });
  });
  await run.runUntil();
  expect(ledger.failures).toEqual([]);
  expect(ledger.checks).toBeGreaterThan(10);
  return summary() as Record<string, number>;
}

describe("subsystems where they meet, over whole runs", () => {
  it("Cluster Autoscaler × warm pool: idle sandboxes hold memory on nodes the autoscaler adds and removes", async () => {
    const s = await checkedRun("hardware/runtime-firecracker.yaml", [
      "cluster.nodeGroups.0.count=2",
      "cluster.nodeGroups.0.maxCount=16",
      "autoscalers=[{ type: cluster, nodeGroup: workers, min: 1, max: 16 }]",
    ]);
    expect(s.warmIdleMemoryGiBh).toBeGreaterThan(0);
    expect(s.nodeHours).toBeGreaterThan(2);
  });

  it("Cluster Autoscaler × warm pool: a drained node goes with its idle sandboxes, once (no eviction storm)", async () => {
    // 4 nodes, functions at 2 invocations/s with a 10-minute keep-alive, and 8 ten-hour tasks in the
    // first 400 s. Idle sandboxes hold memory but run nothing: a node the autoscaler drains leaves with
    // them. Were they to block its removal, every scan would evict its tasks again (3,466 evictions and
    // 4.00 node-hours when they did).
    const s = await checkedRun("hardware/runtime-firecracker.yaml", [
      "cluster.nodeGroups.0.count=4",
      "cluster.nodeGroups.0.maxCount=4",
      "workloads.0.scaleToInvocationsPerS=2",
      "autoscalers=[{ type: cluster, nodeGroup: workers, min: 1, max: 4 }]",
      'workloads.1={ type: rate-curve, name: long, rate: [{ type: piecewise, points: [[0, 0.02], [400, 0.02], [400, 0]] }], task: { run: 10h, cpu: "1", memory: 1Gi } }',
    ]);
    // Three nodes leave: each is drained once, of the tasks then running on it (tens, not thousands).
    expect(s.nodeHours).toBeLessThan(2);
    expect(s.tasksPreempted).toBeLessThan(100);
    expect(s.warmIdleMemoryGiBh).toBeGreaterThan(0);
  });

  it("warm pool × node failure: a rack's idle sandboxes go with its power, and invocations start elsewhere", async () => {
    // Functions kept warm 10 minutes on 16 nodes in racks of 4; rack 0 loses power at 20 min for 10.
    // Sandboxes kept on its nodes held memory there: were they kept, the next invocation routed to
    // one would try to take it back on a node that is down (it stopped such runs with an internal
    // error).
    const s = await checkedRun("hardware/runtime-firecracker.yaml", [
      "cluster.nodeGroups.0.nodesPerRack=4",
      "faults=[{ type: domain-failure, domain: rack, index: 0, at: 20m, repair: 10m }]",
    ]);
    expect(s.taskRunsKilled).toBeGreaterThan(0);
    expect(s.warmIdleMemoryGiBh).toBeGreaterThan(0);
    expect(s.coldStartRate).toBeLessThan(1);
  });

  it("services × co-location: batch pods on reclaimed room beside replicas at their usage", async () => {
    const s = await checkedRun("services/colocation-on.yaml", ["duration=2h"]);
    expect(s.batchTierCoreHours).toBeGreaterThan(0);
    expect(s.cpuUsedFraction).toBeLessThanOrEqual(1);
  });

  it("preemption × services: replicas of high priority evict batch tasks to scale up", async () => {
    const s = await checkedRun("services/burst-cluster-autoscaler.yaml", [
      "autoscalers=[]",
      "services.0.replica.priority=1000",
      'workloads=[{ type: poisson, name: batch, ratePerS: 0.05, task: { run: { dist: exponential, mean: 1800 }, cpu: "2", memory: 1Gi, priority: 0 } }]',
    ]);
    expect(s.tasksPreempted).toBeGreaterThan(0);
    expect(s.workLostCoreS).toBeGreaterThan(0);
  });

  it("faults × the batch loop: jobs killed by node failures are resubmitted, and nothing leaks", async () => {
    const s = await checkedRun("scenarios/poisson-small.yaml", [
      "scheduler={ name: fcfs, params: { backfill: easy } }",
      "faults=[{ type: node-failures, mtbf: 12h, mttr: 10m }]",
    ]);
    expect(s.taskRunsKilled).toBeGreaterThan(0);
  });

  it("Cluster Autoscaler × serverless burst: a step absorbed by both added nodes and virtual-node replicas", async () => {
    const s = await checkedRun("services/burst-serverless.yaml", [
      "cluster.nodeGroups.0.maxCount=8",
      "autoscalers=[{ type: cluster, nodeGroup: workers, min: 4, max: 8 }]",
    ]);
    expect(s.serverlessCost).toBeGreaterThan(0);
    expect(s.nodeHours).toBeGreaterThan(4 * 2);
  });

  it("VPA in place × the CPU ledger: replicas resized on their nodes, deferred where a full node has no room, evicted after 5 minutes", async () => {
    // Twenty 100m replicas of vpa-inplace.yaml on one 4-core node: CPU-bound, their recommendations
    // climb 15% a round until the node is full; from then on resizes wait (Deferred) and fall back to
    // eviction, and the replacements wait for room.
    const s = await checkedRun("services/vpa-inplace.yaml", [
      "services.0.replica.cpu=100m",
      "cluster.nodeGroups.0.count=1",
      'cluster.nodeGroups.0.cpu="4"',
    ]);
    const api = (s as unknown as { services: Record<string, Record<string, number>> }).services.api;
    expect(api.vpaInPlaceResizes).toBeGreaterThan(20);
    expect(api.vpaInPlaceFallbacks).toBeGreaterThan(0);
  });

  it("(the ledger itself) reports a placement the run's events never told of, and one they told of but never booked", () => {
    const cluster = new ClusterState([{ cpuMilli: 4000, memoryMiB: 4096 }]);
    const ledger = new CpuLedger(cluster);
    cluster.place(0, { cpuMilli: 1000, memoryMiB: 1 });
    ledger.sample(1);
    ledger.start(task({ id: 1, arrivalS: 0, cpuMilli: 1000 }), [0]);
    ledger.start(task({ id: 2, arrivalS: 0, cpuMilli: 500 }), [0]);
    ledger.end(2);
    expect(ledger.failures).toEqual([
      "at 1 s: the cluster books 1000 m, the run's events say 0 m",
      "at 2 s: the cluster books 1000 m, the run's events say 1500 m",
    ]);
  });
});
