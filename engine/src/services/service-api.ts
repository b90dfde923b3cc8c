/**
 * What a controller (a user's plug-in among them) sees of a service and may do to it, through its
 * context (`ctx.services`, `ctx.service(name)`): its traffic, latency and replicas as of the last
 * traffic tick, and its size. Kubernetes' counterparts: the Deployment's scale subresource
 * (`scaleTo`), the HPA's minReplicas/maxReplicas (`setBounds`), and the metrics an ingress and the
 * pods export.
 */
export interface ServiceView {
  readonly name: string;
  /** Requests per second over the last tick: arriving (calls from callers included), served, dropped. */
  readonly offeredPerS: number;
  readonly servedPerS: number;
  readonly droppedPerS: number;
  /** Requests waiting at the end of the last tick. */
  readonly queued: number;
  /** The `q` quantile of the last tick's response times, seconds (NaN when none was served). */
  latencyQuantileS(q: number): number;
  /** The objective: its percentile (as a quantile) and target, seconds. */
  readonly slo: { readonly quantile: number; readonly targetS: number };
  /** The share of the last tick's served requests within the objective's target (NaN when none). */
  readonly withinObjective: number;
  /** CPU the replicas used over the last tick, cores. */
  readonly cpuUsedCores: number;
  /** Replicas: desired (every one, placed or not), pending, starting and ready. */
  readonly replicas: {
    readonly desired: number;
    readonly pending: number;
    readonly starting: number;
    readonly ready: number;
  };
  /** Placed replicas (starting or ready) per node group; "serverless" for virtual nodes. */
  placement(): Record<string, number>;
  /** The bounds its size is kept in (an autoscaler's minReplicas and maxReplicas). */
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /**
   * Set the desired replicas now (held within the bounds), as `kubectl scale` does: an autoscaler on
   * the service sets its own count again at its next sync.
   */
  scaleTo(replicas: number): void;
  /**
   * Set the bounds. An autoscaler takes them at its next sync (upstream's HPA moves a count outside
   * them to the nearest); a service without one is resized into them at once.
   */
  setBounds(minReplicas: number, maxReplicas: number): void;
}
