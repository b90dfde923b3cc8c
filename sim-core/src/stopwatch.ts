/**
 * Wall-clock reads for timing reports only (a run's wall time and events per second, written to
 * `timing.json`, never into simulated results). Kept in this one file so that no model code can reach
 * the wall clock by accident.
 */
export function wallSeconds(): number {
  return performance.now() / 1000;
}
