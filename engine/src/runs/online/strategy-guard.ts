import type { ClusterState } from "@clustersim/hardware-models";
import type { Decision, PlacementStrategy, Pod } from "@clustersim/schedulers";
import { thrownText } from "@clustersim/sim-core";

/** A user strategy broke its contract: the message names the plug-in, the task and what it returned. */
export class StrategyError extends Error {
  override readonly name = "StrategyError";
}

/**
 * An error that already names the plug-in and what it did (the scenario's plug-in wrappers throw one
 * named PluginFailure, e.g. for a write through a read-only view): passed on as it is.
 */
function named(err: unknown): boolean {
  return err instanceof StrategyError || (err as { name?: unknown } | null)?.name === "PluginFailure";
}

/**
 * A user strategy's (a plug-in's) calls, checked: an exception names the plug-in, the hook and the
 * task; a decision must be null or a node of the cluster where the pod fits, returned at once.
 */
export class StrategyGuard {
  constructor(
    /** The plug-in's label, as messages name it. */
    readonly label: string,
  ) {}

  /** A strategy's hook (bound, released). */
  hook(name: string, taskId: number, call: () => void): void {
    try {
      call();
    } catch (err) {
      if (named(err)) throw err;
      throw new StrategyError(`plug-in strategy ${this.label}: ${name}() threw for task ${taskId}: ${thrownText(err)}`);
    }
  }

  /** The strategy's decision for `pod` (of task `taskId`), checked against its contract. */
  decide(strategy: PlacementStrategy, cluster: ClusterState, pod: Pod, taskId: number): Decision | null {
    const who = `plug-in strategy ${this.label}`;
    const task = `task ${taskId} (${pod.cpuMilli} m, ${pod.memoryMiB} MiB)`;
    let d: unknown;
    let node: unknown;
    let gpuIndex: number | undefined;
    try {
      d = strategy.decide(cluster, pod);
      // Read here too: a getter on the decision is the plug-in's code.
      node = (d as { node?: unknown } | null)?.node;
      gpuIndex = (d as Decision | null)?.gpuIndex;
    } catch (err) {
      if (named(err)) throw err;
      throw new StrategyError(`${who}: decide() threw for ${task}: ${thrownText(err)}`);
    }
    if (d === null) return null;
    if (d !== null && typeof d === "object" && typeof (d as { then?: unknown }).then === "function") {
      // Refused below; its rejection, if it comes, is not the run's to report.
      try {
        (d as PromiseLike<unknown>).then(undefined, () => {});
      } catch {
        // a then() that throws: refused all the same
      }
      throw new StrategyError(
        `${who}: decide() returned a promise for ${task}: expected a decision at once (null or { node })`,
      );
    }
    const n = cluster.nodeCount;
    if (typeof d !== "object" || typeof node !== "number" || !Number.isInteger(node) || node < 0 || node >= n) {
      throw new StrategyError(
        `${who}: decide() returned ${shown(d)} for ${task}: expected null or { node } with a node in 0..${n - 1}`,
      );
    }
    if (!cluster.fits(node, gpuIndex === undefined ? pod : { ...pod, gpuIndex })) {
      throw new StrategyError(`${who}: decide() returned node ${node} for ${task}, where the pod does not fit`);
    }
    return { node, gpuIndex } as Decision;
  }
}

/** A value as a message shows it (JSON where it can be). */
function shown(d: unknown): string {
  try {
    return JSON.stringify(d) ?? String(d);
  } catch {
    try {
      return String(d);
    } catch {
      return `a value that cannot be shown (${typeof d})`;
    }
  }
}
