/**
 * Load-aware placement through a whole run (examples/predictive/colocated-services.yaml): every node
 * the strategy chooses, whatever the path to it (scored, or the only feasible one), holds the pod
 * within the threshold as the run's own forecast predicts it at that moment; and each of its choices is
 * the placement it reports. (Preemption's side, evicting only where the filter passes, is
 * engine/test/preemption.test.ts's.)
 */
import { fileURLToPath } from "node:url";
import { assembleRun, type NodeLoadForecast } from "@clustersim/engine";
import { compileScenario, loadScenarioFile } from "@clustersim/scenarios";
import type { NodeLoadOptions, PlacementStrategy } from "@clustersim/schedulers";
import { describe, expect, it } from "vitest";

const FILE = fileURLToPath(new URL("../../examples/predictive/colocated-services.yaml", import.meta.url));
const LIMIT = 0.65 * 32_000;

/** Runs the example (2 hours) with `sets`, checking each of the strategy's choices against its prediction. */
async function run(sets: string[]) {
  const { plan } = await compileScenario(loadScenarioFile(FILE, ["duration=2h", ...sets]), FILE);
  if (plan.scheduler.kind !== "online") throw new Error("an online run was expected");
  const make = plan.scheduler.placement;
  let forecast: NodeLoadForecast | undefined;
  const choices = { made: 0, worst: Number.NEGATIVE_INFINITY, refused: 0 };
  plan.scheduler.placement = (rng, nodeLoad) => {
    const s: PlacementStrategy = make(rng, (o: NodeLoadOptions) => {
      forecast = nodeLoad!(o) as NodeLoadForecast;
      return forecast;
    });
    const decide = s.decide.bind(s);
    s.decide = (view, pod) => {
      const d = decide(view, pod);
      if (!d) {
        choices.refused++;
        return d;
      }
      // The pod's estimate is its whole request here (estimatedCpuShare 1); its expected lifetime its
      // requested run time, at most the 30-minute window (none here: the window).
      const horizonS = Math.min(pod.reqTimeS && pod.reqTimeS > 0 ? pod.reqTimeS : Infinity, 1800);
      choices.worst = Math.max(choices.worst, forecast!.cpuMilli(d.node, horizonS) + pod.cpuMilli - LIMIT);
      choices.made++;
      return d;
    };
    return s;
  };
  const assembled = assembleRun(plan);
  await assembled.run.runToEnd();
  return { summary: assembled.summary(), choices };
}

describe("load-aware placement in a run", () => {
  for (const predictor of ["average", "trend"]) {
    it(`never chooses a node where its predicted usage with the pod would pass the threshold (${predictor})`, async () => {
      const { summary, choices } = await run([
        "scheduler.name=load-aware",
        "scheduler.params.estimatedCpuShare=1",
        `scheduler.params.predictor=${predictor}`,
        // Busier than the example: pods are refused for usage, not only placed.
        "services.0.rate.0.meanRatePerS=6000",
      ]);
      expect(choices.worst).toBeLessThanOrEqual(1e-6);
      expect(choices.refused).toBeGreaterThan(0);
      expect(summary.loadAwarePlacements).toBe(choices.made);
      expect(choices.made).toBeGreaterThan(summary.tasksStarted as number);
    });
  }
});
