import type { ClusterView } from "@clustersim/hardware-models";
import { z } from "zod";
import { Code, type FilterPlugin, type Pod, type ReservePlugin, type ScorePlugin } from "../framework/types.js";

/**
 * How a run predicts each node's CPU usage (the run's usage model, sampled as koordlet reports
 * NodeMetric): what the load-aware strategy reads instead of requests.
 */
export interface NodeLoad {
  /**
   * The node's CPU usage over the next `horizonS` seconds as predicted, millicores (an upper bound at the
   * forecast's risk, where the forecast has one). Pods bound or gone count at once.
   */
  cpuMilli(node: number, horizonS: number): number;
  /**
   * The strategy placed pod `podId` on `node`, expecting it to live `horizonS`: watched over that time
   * (or until it leaves) for the node's measured usage passing `limitMilli`, the threshold it was held to.
   */
  placed(podId: number, node: number, horizonS: number, limitMilli: number): void;
  /** Pod `podId` left its node (any pod: its watch, if any, ends). */
  left(podId: number): void;
  /**
   * Pod `podId`, the last to leave, was bound again on `node` at once (a resize in place is a release
   * and a bind): its watch, if any, goes on.
   */
  back(podId: number, node: number): void;
}

/** How the node usage is predicted: the recent mean (Koordinator's NodeMetric) or a trend's upper bound. */
export const LOAD_PREDICTORS = ["average", "trend"] as const;
export type LoadPredictor = (typeof LOAD_PREDICTORS)[number];

/** koordlet reports NodeMetric every 60 s: the node usage is sampled as often. */
export const NODE_METRIC_REPORT_S = 60;

/**
 * The prediction's settings as a user writes them (load-aware placement's parameters, co-location's
 * `reclaim`): the predictor, and the trend's window and risk, refused with the average.
 */
export const PREDICTION_SETTINGS = {
  predictor: z.enum(LOAD_PREDICTORS).default("average"),
  window: z.number().int().min(5).max(1440).optional().meta({
    description: "trend only: minutes of usage fitted, and the farthest ahead predicted (default 30)",
  }),
  risk: z.number().min(0.01).lt(0.5).optional().meta({
    description: "trend only: the chance per predicted minute that usage passes the bound (default 0.05)",
  }),
};

/** The check that goes with PREDICTION_SETTINGS: a trend's settings only for the trend. */
export const trendSettingsOnlyForTrend = [
  (p: { predictor: LoadPredictor; window?: number; risk?: number }) =>
    p.predictor === "trend" || (p.window === undefined && p.risk === undefined),
  { message: "window and risk apply to predictor: trend only" },
] as const;

/** NodeLoadOptions from the settings as written, with the defaults (a 30-minute window, 5% risk). */
export function nodeLoadOptions(p: { predictor: LoadPredictor; window?: number; risk?: number }): NodeLoadOptions {
  return { predictor: p.predictor, windowSamples: p.window ?? 30, risk: p.risk ?? 0.05, sampleS: NODE_METRIC_REPORT_S };
}

/**
 * A pod's expected lifetime for a prediction: its requested run time, at most the trend's window
 * (`o.windowSamples` samples), which also stands for a pod with none (a replica).
 */
export function expectedLifetimeS(pod: { reqTimeS?: number }, o: NodeLoadOptions): number {
  const most = o.windowSamples * o.sampleS;
  const req = pod.reqTimeS;
  return req !== undefined && req > 0 ? Math.min(req, most) : most;
}

/** What a run's NodeLoad is built from: the strategy asks for one with these settings. */
export interface NodeLoadOptions {
  predictor: LoadPredictor;
  /** Samples the trend is fitted on (one per `sampleS`), and the farthest it is extrapolated. */
  windowSamples: number;
  /** The chance, per predicted point, that usage exceeds the trend's bound (normal residuals assumed). */
  risk: number;
  /** How often node usage is sampled (koordlet's NodeMetric report interval). */
  sampleS: number;
}

/** The load-aware strategy's settings (see `loadAware`). */
export interface LoadAwareOptions {
  /** A node whose predicted CPU usage with the pod would pass this share of its allocatable is filtered out. */
  cpuThreshold: number;
  /** A pod's CPU usage as a share of its request, as Koordinator's estimator scales it. */
  estimatedCpuShare: number;
  /** The prediction's settings: the pod's expected lifetime is capped by its window. */
  prediction: NodeLoadOptions;
}

/**
 * Koordinator's LoadAwareScheduling plugin (koordinator-sh/koordinator, pkg/scheduler/plugins/
 * loadaware; defaults of pkg/scheduler/apis/config/v1: usageThresholds cpu 65%, resourceWeights cpu 1
 * and memory 1, estimatedScalingFactors cpu 85%) with the node's usage predicted over the pod's expected
 * lifetime instead of read from the last NodeMetric:
 * - Filter: the node's predicted CPU usage plus the pod's estimate must stay within `cpuThreshold` of
 *   its allocatable CPU. Upstream compares the node's usage alone; counting the pod too is what makes
 *   "never placed where predicted usage would pass the threshold" hold, but for one case: an idle node
 *   (no usage predicted) admits any pod whose requests fit, so that a pod larger than the threshold
 *   still runs somewhere (its crossing is counted in the watch).
 * - Score: least used after placement, (allocatable − used) × 100 / allocatable for CPU (predicted
 *   usage) and memory (allocated: memory usage is not modelled apart from requests), weighted 1 and 1.
 * - Pods bound since the last sample: the run's NodeLoad counts them at once (upstream adds the
 *   estimates of pods assigned since the metric was collected); each placement is watched (Reserve
 *   marks it, onBind reports it).
 * The pod's expected lifetime is its requested run time, capped at the trend's window (which also
 * stands for a pod with none: expectedLifetimeS). Requests still have to fit (NodeResourcesFit): the
 * overcommit is the room pods requested but do not use, which only the batch tier's pods take.
 */
export function loadAware(load: NodeLoad, o: LoadAwareOptions): FilterPlugin & ScorePlugin & ReservePlugin {
  const horizonOf = (pod: Pod) => expectedLifetimeS(pod, o.prediction);
  const estimate = (pod: Pod) => pod.cpuMilli * o.estimatedCpuShare;
  const limit = (view: ClusterView, node: number) => view.allocatableCpuMilli(node) * o.cpuThreshold;
  // The run reports every bind to the strategy, pods it did not place too (the batch tier's, a warm
  // instance's, a virtual node's, one bound after preemption): its own placement is the node it
  // reserved for the pod.
  let reservedPod = -1;
  let reservedNode = -1;
  return {
    name: "LoadAwareScheduling",
    filter({ view, pod }, node) {
      const predicted = load.cpuMilli(node, horizonOf(pod));
      // An idle node admits any pod whose requests fit, as upstream's filter (the node's usage alone)
      // does: else a pod whose own estimate passes the threshold could never run anywhere.
      if (predicted <= 0) return Code.Success;
      return predicted + estimate(pod) <= limit(view, node) ? Code.Success : Code.Unschedulable;
    },
    score({ view, pod }, node) {
      const cpuCap = view.allocatableCpuMilli(node);
      const memCap = view.allocatableMemoryMiB(node);
      const cpuUsed = load.cpuMilli(node, horizonOf(pod)) + estimate(pod);
      const memUsed = memCap - view.freeMemoryMiB(node) + pod.memoryMiB;
      const least = (cap: number, used: number) => (cap > 0 ? Math.max(0, ((cap - used) * 100) / cap) : 0);
      return (least(cpuCap, cpuUsed) + least(memCap, memUsed)) / 2;
    },
    reserve({ pod }, node) {
      reservedPod = pod.id;
      reservedNode = node;
      return Code.Success;
    },
    onBind(view, pod, node) {
      if (pod.id !== reservedPod || node !== reservedNode) {
        load.back(pod.id, node);
        return;
      }
      reservedPod = -1;
      load.placed(pod.id, node, horizonOf(pod), limit(view, node));
    },
    onRelease(_view, pod) {
      load.left(pod.id);
    },
  };
}
