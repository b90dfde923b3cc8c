import {
  ClusterState,
  type ClusterView,
  ReadOnlyClusterView,
  ReadOnlyObjects,
  ReadOnlyWrite,
  WriteLog,
} from "@clustersim/hardware-models";

/**
 * What one plug-in is handed of the run, read only: the cluster (ReadOnlyClusterView), and the pods,
 * tasks, services and decisions it is given (ReadOnlyObjects proxies), all recording into one log.
 * After each call the wrapper asks `attempted()`; a write, even one the plug-in caught, stops the run.
 */
export class PluginViews {
  readonly log = new WriteLog();
  readonly objects = new ReadOnlyObjects(this.log);
  private cluster: ClusterView | undefined;
  private view: ReadOnlyClusterView | undefined;
  private other: ClusterView | undefined;

  /** The read-only view of `cluster` (made once per cluster: a run has one). */
  of(cluster: ClusterView): ClusterView {
    if (cluster === this.cluster) return this.view ?? this.other!;
    this.cluster = cluster;
    if (cluster instanceof ClusterState) {
      this.view = new ReadOnlyClusterView(cluster, this.objects);
      this.other = undefined;
      return this.view;
    }
    // Some other ClusterView (a test's own): its methods are its own, so a proxy over all of it.
    this.view = undefined;
    this.other = this.objects.wrap(cluster, "view");
    return this.other;
  }

  /** The first write attempted since the last call ("wrote pod.cpuMilli"), or undefined. */
  attempted(): string | undefined {
    try {
      this.view?.verify();
    } catch (err) {
      if (!(err instanceof ReadOnlyWrite)) throw err;
    }
    return this.log.take();
  }

  /**
   * `fn` (a plug-in call); `refused(what)` is thrown when it attempted a write, whatever it then did.
   * `after` looks for writes to the copies the call was handed (ReadOnlyObjects.compare).
   */
  call<T>(fn: () => T, refused: (what: string) => Error, after?: () => void): T {
    let out: T;
    try {
      out = fn();
    } catch (err) {
      after?.();
      const what = this.attempted();
      if (what !== undefined) throw refused(what);
      throw err;
    }
    after?.();
    const what = this.attempted();
    if (what !== undefined) throw refused(what);
    return out;
  }
}

/**
 * `target` with every write refused into `log` as `${path}.prop`, and reads left alone (no get trap: a
 * controller's context is read often, and what it holds is read-only already or the plug-in's own).
 */
export function refuseWrites<T extends object>(target: T, path: string, log: WriteLog): T {
  const at = (p: string | symbol) => `${path}.${String(p)}`;
  return new Proxy(target, {
    set: (_t, p) => log.refuse(`wrote ${at(p)}`),
    defineProperty: (_t, p) => log.refuse(`wrote ${at(p)}`),
    deleteProperty: (_t, p) => log.refuse(`deleted ${at(p)}`),
    setPrototypeOf: () => log.refuse(`set the prototype of ${path}`),
    preventExtensions: () => log.refuse(`froze ${path}`),
  });
}
