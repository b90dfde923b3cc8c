import {
  type AutoscalerConfig,
  type Controller,
  DEFAULT_BEHAVIOR,
  DEFAULT_TOLERANCES,
  exponentialServiceTime,
  InvariantChecker,
  OnlineLoop,
  Run,
  type ServiceConfig,
  ServicesController,
  type ServicesOptions,
} from "@clustersim/engine";
import { ClusterState } from "@clustersim/hardware-models";
import { createPlacement } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";

/** `n` nodes of `cores` cores and a GiB per core. */
export const nodes = (n: number, cores: number) =>
  new ClusterState(Array.from({ length: n }, () => ({ cpuMilli: cores * 1000, memoryMiB: cores * 1024 })));

/** A one-core replica's service, one replica serving one request of 0.1 s (exponential) at a time. */
export function service(fields: Partial<ServiceConfig>): ServiceConfig {
  return {
    name: "web",
    replica: { cpuMilli: 1000, memoryMiB: 256, gpus: 0, gpuMilli: 0, nicGbps: 0, runtime: "", priority: 0 },
    initialReplicas: 1,
    minReplicas: 1,
    maxReplicas: 100,
    concurrency: 1,
    serviceTime: exponentialServiceTime(0.1),
    cpuSecondsPerRequest: 0.05,
    slo: { quantile: 0.99, targetS: 1 },
    timeoutS: 30,
    calls: [],
    // Arrivals at the mean rate: the hand-worked figures below assume them (drawn arrivals have their own tests).
    latency: "fluid-mean",
    imagePullS: 0,
    readinessS: 5,
    burst: false,
    ...fields,
  };
}

/** An HPA on `metric` with upstream's defaults: behaviour, tolerance 0.1, 15 s syncs and window, 300 s CPU initialisation. */
export function hpa(metric: AutoscalerConfig["metric"], fields: Partial<AutoscalerConfig> = {}): AutoscalerConfig {
  return {
    metric,
    behavior: DEFAULT_BEHAVIOR,
    tolerance: DEFAULT_TOLERANCES,
    syncPeriodS: 15,
    cpuInitializationPeriodS: 300,
    metricWindowS: 15,
    ...fields,
  };
}

/**
 * `services` on `cluster` until `untilS` under the invariant checker, with `others` controllers after
 * them (they see the services through their context); `every` is called every 15 s.
 */
export function runServices(
  cluster: ClusterState,
  services: ServiceConfig[],
  untilS: number,
  every?: (s: ServicesController, nowS: number) => void,
  others: Controller[] = [],
  options: ServicesOptions = {},
  seed = 0,
) {
  const controller = new ServicesController(services, options);
  const run = new Run({
    seed,
    cluster,
    tasks: [],
    loop: new OnlineLoop({
      strategy: createPlacement("kubernetes-default", {}, { rng: new RandomStreams(1).get("s") }),
    }),
    untilS,
    listeners: [new InvariantChecker(cluster, 1)],
    controllers: [controller, ...others],
    services: controller.views,
  });
  if (every) {
    for (let t = 15; t <= untilS; t += 15) {
      run.advance({ untilS: t });
      every(controller, t);
    }
  }
  run.runToEndSync();
  return controller;
}
