/**
 * @clustersim/engine: a run. A steppable run object on the event core (arrivals, the order of events
 * within an instant, controllers), the typed run-event bus its observers subscribe to, the online
 * placement loop with kube-scheduler's queue or strict FIFO, the batch queue loop, rate-based task
 * progress, and the metrics a run reports; and the assembly of a run from a compiled run plan.
 */
export { ArrivalPump, type TaskSource } from "./arrivals/arrival-pump.js";
export { type AssembledRun, assembleRun, type RunSinks } from "./assembly/assemble-run.js";
export type {
  BatchPlan,
  OnlinePlan,
  OutputsPlan,
  PlannedAssumption,
  PlannedCluster,
  RunPlan,
  ServicesPlan,
} from "./assembly/run-plan.js";
export { type RejectReason, RunBus, type RunEvents, type RunListener } from "./bus/run-events.js";
export { BatchTier, type ColocationOptions, KOORDINATOR_DEFAULTS } from "./colocation/batch-tier.js";
export { ColocationController, type ColocationControllerOptions } from "./colocation/colocation-controller.js";
export {
  type AutoscaledGroup,
  ClusterAutoscaler,
  type ClusterAutoscalerOptions,
  type ClusterLimits,
} from "./controllers/cluster-autoscaler.js";
export type { Controller, ControllerContext } from "./controllers/controller.js";
export {
  chooseOption,
  DEFAULT_EXPANDER,
  EXPANDER_NAMES,
  type ExpanderName,
  type ExpansionOption,
  expanderChainProblem,
  wasteScore,
} from "./controllers/expanders.js";
export { FaultController, type NodeFailures, type Outage } from "./controllers/fault-controller.js";
export {
  type EffectCounters,
  HardwareEffects,
  type HardwareEffectsConfig,
  UnknownRuntimeError,
} from "./effects/hardware-effects.js";
export type { RunEffects } from "./effects/run-effects.js";
export { Arima, type ArimaOptions, DEFAULT_ORDER, DEFAULT_SEASONAL_ORDER } from "./forecast/arima.js";
export { type ArimaFit, type ArimaOrder, fitArima } from "./forecast/arima-fit.js";
export { createForecaster, FORECASTERS, type ForecasterName, type ForecasterSpec } from "./forecast/create.js";
export { FittedHoltWinters } from "./forecast/fitted.js";
export type { Forecaster } from "./forecast/forecaster.js";
export { HoltWinters, type Smoothing } from "./forecast/holt-winters.js";
export { MlpForecaster, type MlpForecasterOptions } from "./forecast/mlp-forecaster.js";
export { SeasonalNaive } from "./forecast/seasonal-naive.js";
export { studentTQuantile } from "./forecast/student-t.js";
export { type AdamState, adamState, adamStep } from "./learning/adam.js";
export { Mlp, type MlpWorkspace, type Tensor } from "./learning/mlp.js";
export { Sample, TimeIntegral } from "./metrics/metrics.js";
export { quantileSorted } from "./metrics/quantile.js";
export { type Column, csvLine, csvNumber, csvText, round6 } from "./observers/csv.js";
export { GpuLoadCheckpoints } from "./observers/gpu-load-checkpoints.js";
export { InvariantChecker, InvariantViolation } from "./observers/invariant-checker.js";
export { ReplayRecorder } from "./observers/replay-recorder.js";
export { type GroupEconomics, RunMetrics } from "./observers/run-metrics.js";
export { type Running, TaskLedger } from "./observers/task-ledger.js";
export { TASK_COLUMNS, TASK_CSV_HEADER, TaskRows } from "./observers/task-rows.js";
export { TIMESERIES_COLUMNS, TIMESERIES_CSV_HEADER, TimeSeriesRows } from "./observers/timeseries.js";
export {
  type Candidate,
  candidatesWanted,
  moreImportant,
  type NodeRoom,
  type PodOnNode,
  pickOneNode,
  selectVictimsOnNode,
} from "./preemption/default-preemption.js";
export { FifoQueue } from "./queues/fifo-queue.js";
export { backoffS, KubernetesQueue } from "./queues/kubernetes-queue.js";
export type { Waiting, WaitingQueue } from "./queues/waiting-queue.js";
export {
  type BatchCounts,
  BatchLoop,
  type BatchLoopOptions,
  type LearnedQueuePolicy,
} from "./runs/batch/batch-loop.js";
export { type BatchRunOptions, type BatchRunResult, runBatch, runBatchAsync } from "./runs/batch-run.js";
export { type ClusterRunOptions, type ClusterRunResult, runCluster, runClusterAsync } from "./runs/cluster-run.js";
export {
  type OnlineCounts,
  OnlineLoop,
  type OnlineLoopOptions,
  StrategyError,
} from "./runs/online/online-loop.js";
export {
  type AdvanceStatus,
  type NodeGroups,
  type ResizeOutcome,
  Run,
  type RunOptions,
  type RunServices,
  type SchedulingLoop,
} from "./runs/run.js";
export {
  type Behavior,
  changeInPeriod,
  DEFAULT_BEHAVIOR,
  DOWNSCALE_STABILIZATION_S,
  type LimitReason,
  limitByBehavior,
  limitLegacy,
  type Recommendation,
  type ScaleEvent,
  type ScalingPolicy,
  type ScalingRules,
  scaleDownLimit,
  scaleUpLimit,
  stabilize,
  stabilizeLegacy,
  storeScaleEvent,
} from "./services/autoscaling/behavior.js";
export { CPU_HISTOGRAM, DecayingHistogram, type HistogramOptions } from "./services/autoscaling/decaying-histogram.js";
export {
  HorizontalAutoscaler,
  type HorizontalAutoscalerOptions,
} from "./services/autoscaling/horizontal-autoscaler.js";
export {
  type CountedPods,
  countedReplicas,
  DEFAULT_TOLERANCE,
  DEFAULT_TOLERANCES,
  externalPerPodReplicas,
  externalValueReplicas,
  MetricUnavailable,
  type PodMetric,
  type Proposal,
  podsMetricReplicas,
  resourceReplicas,
  type Tolerances,
} from "./services/autoscaling/replica-calculator.js";
export {
  VPA_DEFERRED_RESIZE_TIMEOUT_S,
  VPA_INTERVAL_S,
  vpaEvictionBudget,
} from "./services/autoscaling/service-vpa.js";
export { type VpaRecommendation, VpaRecommender } from "./services/autoscaling/vpa-recommender.js";
export { type CallAttempts, callAttempts, MAX_RETRIES } from "./services/call-attempts.js";
export { cpuStretch } from "./services/cpu-share.js";
export { DiscreteTime } from "./services/latency/discrete-time.js";
export {
  erlangC,
  type MmcTheory,
  mmcTheory,
  responseQuantile,
  responseTail,
} from "./services/latency/erlang-c.js";
export { FluidLatency } from "./services/latency/fluid-latency.js";
export { GraphMember } from "./services/latency/graph-member.js";
export type { GraphService } from "./services/latency/graph-service.js";
export {
  emptyFigures,
  type LatencyModel,
  type LatencyParams,
  type TickFigures,
} from "./services/latency/latency-model.js";
export {
  type LatencyRecord,
  MixtureRecord,
  RELATIVE_ACCURACY,
  SketchRecord,
} from "./services/latency/latency-record.js";
export { Mg1Wait, mg1WaitOf } from "./services/latency/mg1-wait.js";
export { type MgcWaiting, mgcWaiting } from "./services/latency/mgc-waiting.js";
export { PerRequestLatency } from "./services/latency/per-request-latency.js";
export { RequestGraph } from "./services/latency/request-graph.js";
export { ATOM, EXPONENTIAL, MG1_WAIT, ResponseMixture } from "./services/latency/response-mixture.js";
export {
  constantServiceTime,
  exponentialServiceTime,
  type ServiceTime,
  ServiceTimeShape,
} from "./services/latency/service-time.js";
export type { ReplicaMachine } from "./services/replica-machine.js";
export {
  CRASH_LOOP_INITIAL_S,
  CRASH_LOOP_MAX_S,
  CRASH_LOOP_RESET_S,
  CrashLoopBackOff,
} from "./services/replica-memory.js";
export { type PendingResize, ReplicaSet } from "./services/replica-set.js";
export type { ServiceView } from "./services/service-api.js";
export {
  type AutoscalerConfig,
  type AutoscalerMetric,
  type CallConfig,
  type CustomAutoscaler,
  callOrder,
  type PredictiveConfig,
  perRequestGraphs,
  type ReplicaMemoryConfig,
  type ReplicaTemplate,
  type ServiceConfig,
  type VirtualNode,
  type VpaMode,
} from "./services/service-config.js";
export { brokeObjective, type MeasureWindow, ServiceTally, WindowTally } from "./services/service-figures.js";
export { SERVICE_COLUMNS, SERVICE_CSV_HEADER, ServiceRows } from "./services/service-rows.js";
export { ServicesController, type ServicesOptions } from "./services/services-controller.js";
export { TaskProgress } from "./tasks/task-progress.js";
export { wholeRequest } from "./tasks/whole-request.js";
export { NodeLoadForecast, type NodeLoadSources, type ServiceUsage } from "./usage/node-load-forecast.js";
