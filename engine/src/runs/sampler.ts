import type { Simulation } from "@clustersim/sim-core";

/**
 * A periodic observation event: `observe` at 0 and every `everyS` of simulated time up to `untilS`.
 * It reads state and changes nothing, so results do not depend on it (only the event count does).
 */
export function installSampler(
  sim: Simulation,
  everyS: number | undefined,
  untilS: number | undefined,
  observe: () => void,
): void {
  if (everyS === undefined || !(everyS > 0) || untilS === undefined) return;
  const SAMPLE = sim.on("sample", () => {
    observe();
    if (sim.now + everyS <= untilS) sim.after(everyS, SAMPLE);
  });
  sim.at(0, SAMPLE);
}
