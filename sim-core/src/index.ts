/**
 * @clustersim/sim-core: the event queue, the run loop, generator processes and named random streams.
 * Imports nothing of ours; runs unchanged in a worker thread.
 */
export { EventQueue, MAX_EVENT_KIND, type EventHandle } from "./event-queue.js";
export {
  Simulation,
  type EventHandler,
  type EventKind,
  type RunOptions,
  type RunSummary,
  type SimulationOptions,
  type StopReason,
} from "./simulation.js";
export {
  Process,
  ProcessError,
  ProcessScheduler,
  Resource,
  Signal,
  processes,
  type ProcessBody,
  type Waitable,
} from "./process.js";
export { RandomStreams, type Seed } from "./random/streams.js";
export { Rng } from "./random/rng.js";
export { Empirical, WeightedChoice, Zipf } from "./random/samplers.js";
export { wallSeconds } from "./stopwatch.js";
export { WorkerPool, serveInWorker, type PoolOutcome } from "./worker-pool.js";
