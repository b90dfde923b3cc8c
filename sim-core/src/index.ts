/**
 * @clustersim/sim-core: the event queue, the run loop, generator processes, named random streams and
 * keyed (counter-based) random draws. Imports nothing of ours; runs unchanged in a worker thread.
 */
export { type EventHandle, EventQueue, MAX_EVENT_KIND } from "./event-queue.js";
export {
  Process,
  type ProcessBody,
  ProcessError,
  ProcessScheduler,
  processes,
  Resource,
  Signal,
  type Waitable,
} from "./process.js";
export { KeyedRng } from "./random/keyed-rng.js";
export { PHILOX_ROUNDS, philox4x32, philox4x32Block } from "./random/philox.js";
export { Rng, type UniformSource } from "./random/rng.js";
export { Empirical, WeightedChoice, Zipf } from "./random/samplers.js";
export { RandomStreams, type Seed } from "./random/streams.js";
export {
  type EventHandler,
  type EventKind,
  type RunOptions,
  type RunSummary,
  Simulation,
  type SimulationOptions,
  type StopReason,
} from "./simulation.js";
export { wallSeconds } from "./stopwatch.js";
export { thrownText } from "./thrown-text.js";
export { type PoolOptions, type PoolOutcome, serveInWorker, WorkerPool } from "./worker-pool.js";
