import { type PlannedAssumption, perRequestGraphs } from "@clustersim/engine";
import type { ScenarioSpec } from "../schema/schema.js";

/**
 * The assumptions ([U] defaults: no measured source, or a figure used beyond its measured scope) that a
 * run of this scenario may lean on, by name, for its summary (those tied to a model count only where the
 * run used it): a reader sees which numbers rest on them. Each names where
 * the assumption lives, so it can be checked or overridden.
 */
export function assumptionsOf(spec: ScenarioSpec): PlannedAssumption[] {
  const out: PlannedAssumption[] = [];
  const push = (text: string, when?: PlannedAssumption["when"]) => out.push(when ? { text, when } : { text });
  const groups = spec.cluster.nodeGroups ?? [];
  if (spec.cluster.fromTrace || groups.some((g) => !g.power)) {
    push(
      "power: 100 W idle and 400 W at full CPU per node where a node group gives no `power` (hardware-models power-cost.ts)",
    );
  }
  const gpuGroups = groups.filter((g) => (g.gpus ?? 0) > 0);
  if (
    spec.cluster.fromTrace?.format === "openb-nodes" ||
    gpuGroups.some((g) => g.power?.gpuIdleW === undefined || g.power?.gpuPeakW === undefined)
  ) {
    push(
      "GPU power: linear in each GPU's allocated share, idle figures from a published model rather than measured, 30 W idle and 250 W peak for a model not listed such as openb's G2 and G3 (hardware-models power-cost.ts GPU_POWER)",
    );
  }
  // A DPU's power and price: each figure the group does not give is the catalogue's (hardware-models dpu.ts).
  const dpus = groups.filter((g) => g.dpu !== undefined && !g.virtual).map((g) => ({ g, d: g.dpu! }));
  if (dpus.some(({ d }) => typeof d === "string" || d.idleW === undefined || d.maxW === undefined)) {
    push(
      "DPU power: idle a third of the maximum (nothing published), the maximum NVIDIA's power budget rather than a measured draw (BlueField-2: the 75 W its PCIe slot supplies; BlueField-3: the DPU Controller's 150 W), linear in the traffic it carries over its line rate (hardware-models dpu.ts; `dpu: { model, idleW, maxW }`)",
    );
  }
  if (dpus.some(({ g, d }) => g.price !== undefined && (typeof d === "string" || d.pricePerHour === undefined))) {
    push(
      "DPU price: 0.07 per card-hour on top of the node's price, about 2,500 paid off over 4 years: no list price is published (hardware-models dpu.ts; `dpu.pricePerHour`)",
    );
  }
  if (spec.cluster.fromTrace?.format === "swf" && spec.cluster.fromTrace.nodeMemory === undefined) {
    push("node memory: 4 GiB per processor, the SWF header has none (cluster.fromTrace.nodeMemory)");
  }
  if (spec.workloads.some((w) => w.type === "functions")) {
    push(
      "function invocations: CPU per invocation as the workload's `cpu` (default one core; the Azure trace has none)",
    );
  }
  push(
    "sandbox runtimes: start-time spreads, Firecracker's VMM start uniform in 6-60 ms and its guest kernel's 23 MB, the container engine's part the same for every runtime, several compute slowdowns (hardware-models sandbox-runtimes.ts, marked [U])",
    "sandboxStarts",
  );
  if (spec.hardware?.warmPool) {
    push(
      "warm instances: one idle instance per app and node, using memory but no CPU while idle; an invocation goes to the lowest-numbered node holding one where it fits (engine warm-pool.ts)",
    );
  }
  push(
    "CXL: sensitivity buckets as measured at 150 ns, a VM touching all its memory where Pond says half do, pooled tasks not slowing each other (hardware-models cxl-pool.ts)",
    "pooledTasks",
  );
  push(
    "virtio host cost: linear between measured points, one core per pod beyond 25 Gbps (hardware-models dpu.ts)",
    "virtioTasks",
  );
  if (spec.services.length > 0) {
    push(
      "services: the fluid model's wait has an exponential tail whatever the service time's shape and its transient is a diffusion's (engine services/latency), a replica's CPU is its request (limit = request) shared by its requests at their mean number in service (engine services/cpu-share.ts)",
    );
  }
  if (spec.services.some((s) => s.timeout === 30)) {
    push(
      "service timeout: a request waiting 30 s leaves unserved (`timeout`'s default): no measured client timeout is cited, and clients' own vary (services[].timeout)",
    );
  }
  if (spec.services.some((s) => s.memoryPerRequest !== undefined)) {
    push(
      "service memory: a replica holds its mean share of the service's requests in service and waiting (one queue over its ready replicas), so all of them pass the limit and are OOM-killed together; the limit is the memory request unless `memoryLimit` says otherwise (a Guaranteed pod), the memory at idle 0 unless `memoryBase` gives it; the kubelet restarts a container at its back-off's end, without its pod sync's delay (engine services/replica-memory.ts; services[].memoryBase, services[].replica.memoryLimit)",
    );
  }
  const calls = spec.services.flatMap((s) => s.calls);
  // Graphs all of whose services are per request are simulated exactly; the others compose or draw calls.
  const exact = new Set(perRequestGraphs(spec.services).flat());
  const policy = (c: (typeof calls)[number]) => c.timeout !== undefined || c.retries > 0;
  if (exact.size > 0) {
    push(
      "exact call graphs: no network time between services; a service's CPU contention is set at each tick's start from the calls it received in the tick before (engine services/latency/request-graph.ts)",
    );
  }
  if (spec.services.some((s, i) => !exact.has(i) && s.calls.some(policy))) {
    push(
      "call timeouts and retries: a call's attempts are independent, each a recent response of the callee's and its recent failure rate; an error takes a response's time; the callee serves a timed-out call anyway (no cancellation); a request makes all its calls even after one failed (engine services/call-attempts.ts)",
    );
  }
  if (spec.services.some((s, i) => exact.has(i) && s.calls.some(policy))) {
    push(
      "call timeouts and retries, exactly: the callee serves a timed-out call anyway (no cancellation); a request makes all its calls even after one failed (engine services/latency/request-graph.ts)",
    );
  }
  if (calls.some((c) => c.retries > 0 && c.backoff === 0)) {
    push(
      "retry back-off: none between attempts (`backoff`'s default); Envoy's default is jittered exponential from a 25 ms base (services[].calls[].backoff)",
    );
  }
  if (spec.services.some((s) => s.vpa?.mode === "InPlaceOrRecreate")) {
    push(
      "VPA in place: a resize the node has room for applies in the instant it is asked for, and the kubelet retries a deferred one once a minute, with the updater's loop, rather than when room appears (engine services/autoscaling/service-vpa.ts)",
    );
  }
  if (spec.services.some((s) => s.autoscaler?.type === "hpa" && s.autoscaler.metricWindow === 15)) {
    push(
      "HPA metric window: a pod's metric averages over 15 s (`metricWindow`'s default), metrics-server's default resolution taken as the window: the real one depends on the metrics pipeline (services[].autoscaler.metricWindow)",
    );
  }
  if (spec.autoscalers.some((a) => a.type === "cluster" && a.scaleUpDelay === 60)) {
    push(
      "Cluster Autoscaler: new nodes take pods 60 s after a scale-up (`scaleUpDelay`'s default): no measured provisioning time is cited, and a cloud's varies with machine type and image (autoscalers[].scaleUpDelay)",
    );
  }
  if (groups.some((g) => g.virtual && isDefaultStartLatency(g.virtual.startLatency))) {
    push(
      "serverless containers: start latency uniform 1-6 s (`startLatency`'s default): Alibaba ECI's 3,000 instances in 6 s bounds it, its spread is not measured (cluster.nodeGroups[].virtual.startLatency)",
    );
  }
  if (spec.colocation) {
    push(
      `co-location: online requests slow by 1 + ${spec.colocation.interference} × their node's CPU usage share (interference), no system usage`,
    );
  }
  return out;
}

/** Whether a virtual node group's start latency is the schema's default, uniform 1-6 s. */
function isDefaultStartLatency(d: unknown): boolean {
  const u = d as { dist?: string; min?: number; max?: number };
  return typeof d === "object" && d !== null && u.dist === "uniform" && u.min === 1 && u.max === 6;
}
