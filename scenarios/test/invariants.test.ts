import { InvariantChecker, InvariantViolation } from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { task } from "@clustersim/workloads";
import { describe, expect, it } from "vitest";

const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;

describe("the invariant checker", () => {
  for (const name of [
    "hardware/rack-outage.yaml",
    "hardware/cxl-on.yaml",
    "hardware/dpu-off.yaml",
    "controllers/queue-autoscale.yaml",
    "scenarios/lublin-window.yaml",
    "services/flapping-no-window.yaml",
    "services/burst-cluster-autoscaler.yaml",
    "services/burst-serverless.yaml",
    "services/colocation-on.yaml",
    "services/vpa-recreate.yaml",
    "services/vpa-inplace.yaml",
  ]) {
    it(`finds no violation in ${name}, and changes nothing in the results`, async () => {
      const file = EXAMPLES + name;
      const checked = await runScenario(loadScenarioFile(file), file, { check: true });
      const plain = await runScenario(loadScenarioFile(file), file);
      expect(checked.summary).toEqual(plain.summary);
    });
  }

  it("stops at the first violation, naming the event, time and task", () => {
    const c = new InvariantChecker(new ClusterState([{ cpuMilli: 1000, memoryMiB: 1024 }]));
    const t = task({ id: 7, arrivalS: 0 });
    c.arrive(t, 0);
    c.start(t, [0], 1);
    expect(() => c.start(t, [0], 2)).toThrow(InvariantViolation);
    expect(() => c.start(t, [0], 2)).toThrow("invariant broken at start, time 2: task 7 is running, expected waiting");
    expect(() => c.sample(0.5)).toThrow("time went back from 2");
  });

  it("catches a change made behind the engine's back at the next sample, naming the last plug-in call", () => {
    const cluster = new ClusterState([
      { cpuMilli: 1000, memoryMiB: 1024 },
      { cpuMilli: 1000, memoryMiB: 1024 },
    ]);
    const c = new InvariantChecker(cluster, 1000, () => 'plug-in strategy "x" (x.mjs), decide() for task 7');
    const t = task({ id: 7, arrivalS: 0, cpuMilli: 300, memoryMiB: 100 });
    c.arrive(t, 0);
    cluster.place(0, t);
    c.start(t, [0], 0);
    c.sample(1);
    // Within [0, allocatable], so no per-event check sees it: only the audit against the placements.
    (cluster.resources.freeCpuMilli as Float64Array)[1] = 400;
    expect(() => c.sample(2)).toThrow(
      'invariant broken at sample, time 2: node 1: free CPU 400 m, its placements leave 1000 m: the cluster changed outside the engine (the last plug-in call: plug-in strategy "x" (x.mjs), decide() for task 7)',
    );
  });
});
