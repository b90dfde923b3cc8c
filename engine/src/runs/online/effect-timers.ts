import type { Simulation } from "@clustersim/sim-core";
import type { RunEffects } from "../../effects/run-effects.js";
import type { TaskProgress } from "../../tasks/task-progress.js";

/**
 * Give the effects their way to change running tasks' speed, the clock, and timers as simulation
 * events; `afterTimer` runs after each timer's function (the loop then looks at the queue again).
 * Timer functions live in slots reused once run: no allocation per timer beyond the closure.
 */
export function attachEffectTimers(
  effects: RunEffects,
  sim: Simulation,
  progress: TaskProgress,
  afterTimer: () => void,
): void {
  if (!effects.attach) return;
  const timers: ((() => void) | undefined)[] = [];
  const free: number[] = [];
  const kind = sim.on("effects-timer", (slot) => {
    const fn = timers[slot]!;
    timers[slot] = undefined;
    free.push(slot);
    fn();
    afterTimer();
  });
  effects.attach({
    setRate: (id, rate) => progress.setRate(id, rate),
    nowS: () => sim.now,
    at: (timeS, fn) => {
      const slot = free.length > 0 ? free.pop()! : timers.length;
      timers[slot] = fn;
      sim.at(timeS, kind, slot);
    },
  });
}
