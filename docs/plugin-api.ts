/**
 * The plug-in API of clustersim: what a user strategy, a user controller or a run observer is written
 * against. `npm run docs` renders these pages (docs/api/index.html); the examples to copy are
 * examples/plugins/least-loaded-node.ts (a strategy) and examples/controllers/queue-scaler.ts (a
 * controller).
 *
 * @module
 */
export type {
  AdvanceStatus,
  Controller,
  ControllerContext,
  ResizeOutcome,
  RunEvents,
  RunListener,
  ServiceView,
} from "@clustersim/engine";
export type { ClusterView, NodeResources, Request, Taint, Toleration } from "@clustersim/hardware-models";
export type { ControllerEntry } from "@clustersim/scenarios";
export type {
  CycleContext,
  Decision,
  DecisionRecord,
  FilterPlugin,
  PlacementStrategy,
  Pod,
  ScorePlugin,
  StrategyContext,
  StrategyEntry,
} from "@clustersim/schedulers";
export type { Rng } from "@clustersim/sim-core";
export type { Task } from "@clustersim/workloads";
