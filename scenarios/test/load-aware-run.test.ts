/**
 * Load-aware placement through a whole run (examples/predictive/colocated-services.yaml): no pod the
 * strategy places, nor one bound after preemption, lands where the predicted usage with it would pass
 * the threshold; and placing by usage spreads what nodes use, where the default spreads requests.
 */
import { fileURLToPath } from "node:url";
import { assembleRun, type NodeLoadForecast } from "@clustersim/engine";
import { compileScenario, loadScenarioFile } from "@clustersim/scenarios";
import type { NodeLoadOptions, PlacementStrategy } from "@clustersim/schedulers";
import { describe, expect, it } from "vitest";

const FILE = fileURLToPath(new URL("../../examples/predictive/colocated-services.yaml", import.meta.url));
const LIMIT = 0.65 * 32_000;

/** Runs the example (2 hours) with `sets`, checking every bind against the strategy's own prediction. */
async function run(sets: string[]) {
  const { plan } = await compileScenario(loadScenarioFile(FILE, ["duration=2h", ...sets]), FILE);
  if (plan.scheduler.kind !== "online") throw new Error("an online run was expected");
  const make = plan.scheduler.placement;
  let forecast: NodeLoadForecast | undefined;
  const binds = { checked: 0, worst: Number.NEGATIVE_INFINITY, replicasRefused: 0 };
  plan.scheduler.placement = (rng, nodeLoad) => {
    const s: PlacementStrategy = make(rng, (o: NodeLoadOptions) => {
      forecast = nodeLoad!(o) as NodeLoadForecast;
      return forecast;
    });
    const decide = s.decide.bind(s);
    s.decide = (view, pod) => {
      const d = decide(view, pod);
      if (!d && (pod.priority ?? 0) > 0) binds.replicasRefused++;
      return d;
    };
    const bound = s.bound?.bind(s);
    s.bound = (view, pod, d) => {
      bound?.(view, pod, d);
      // After the bind the allocation holds the pod at its whole request, which is the estimate here
      // (estimatedCpuShare 1): the prediction now is what the filter compared with the threshold.
      const horizonS = Math.min(pod.reqTimeS && pod.reqTimeS > 0 ? pod.reqTimeS : Infinity, 1800);
      binds.worst = Math.max(binds.worst, forecast!.cpuMilli(d.node, horizonS) - LIMIT);
      binds.checked++;
    };
    return s;
  };
  const assembled = assembleRun(plan);
  await assembled.run.runToEnd();
  return { summary: assembled.summary(), binds };
}

describe("load-aware placement in a run", () => {
  for (const predictor of ["average", "trend"]) {
    it(`never binds a pod where its predicted usage would pass the threshold (${predictor})`, async () => {
      const { summary, binds } = await run([
        "scheduler.name=load-aware",
        "scheduler.params.estimatedCpuShare=1",
        `scheduler.params.predictor=${predictor}`,
        // Preemption is on (the default) and replicas outrank batch jobs: a replica refused everywhere
        // by the filter tries it, and must not evict its way onto a node the filter refused.
        "services.0.rate.0.meanRatePerS=6000",
      ]);
      // Every bind is the strategy's (no batch tier, no warm pool): each was watched.
      expect(summary.loadAwarePlacements).toBe(binds.checked);
      expect(binds.checked).toBeGreaterThan(summary.tasksStarted as number);
      expect(binds.worst).toBeLessThanOrEqual(1e-6);
      expect(binds.replicasRefused).toBeGreaterThan(0);
    });
  }
});
