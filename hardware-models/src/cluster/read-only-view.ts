import type { ClusterState } from "./cluster-state.js";
import type { ClusterView, GroupTotals, NodeResources, Request, Taint } from "./cluster-types.js";
import type { ReadOnlyObjects } from "./read-only.js";

type ResourceName = keyof NodeResources;
const RESOURCE_NAMES: readonly ResourceName[] = [
  "allocatableCpuMilli",
  "allocatableMemoryMiB",
  "freeCpuMilli",
  "freeMemoryMiB",
  "podsWithoutCpu",
  "podsWithoutMemory",
];

/**
 * The cluster as a plug-in sees it: every read of ClusterView, delegated (one call more per read,
 * no allocation), and nothing that changes it. The ClusterState itself would hand a plug-in `place`,
 * `setUp` and `setPresent`, and its live arrays through `resources`; here those methods refuse and
 * record the attempt, and `resources` holds copies of the arrays, refreshed only when the cluster
 * changed since they were last read (a memcpy per array), and compared with the live arrays after
 * each plug-in call (`verify`) so that a write to them is reported, not silently ignored.
 * Objects read through it (group totals, labels, taints) are read-only proxies; requests passed back
 * to it (`fits(node, pod)`) are unwrapped to the run's own object, so that fits reads no proxy.
 */
export class ReadOnlyClusterView implements ClusterView {
  readonly #c: ClusterState;
  readonly #objects: ReadOnlyObjects;
  readonly #copies: NodeResources;
  /** The cluster's change count when the copies were taken; -1: never taken. */
  #copiedAt = -1;
  /** Whether the plug-in was ever handed the copies (only then are they compared after a call). */
  #handed = false;

  constructor(cluster: ClusterState, objects: ReadOnlyObjects) {
    this.#c = cluster;
    this.#objects = objects;
    const live = cluster.resources;
    this.#copies = Object.freeze({
      allocatableCpuMilli: new Float64Array(live.allocatableCpuMilli.length),
      allocatableMemoryMiB: new Float64Array(live.allocatableMemoryMiB.length),
      freeCpuMilli: new Float64Array(live.freeCpuMilli.length),
      freeMemoryMiB: new Float64Array(live.freeMemoryMiB.length),
      podsWithoutCpu: new Int32Array(live.podsWithoutCpu.length),
      podsWithoutMemory: new Int32Array(live.podsWithoutMemory.length),
    });
    Object.freeze(this);
  }

  get nodeCount(): number {
    return this.#c.nodeCount;
  }
  get groupCount(): number {
    return this.#c.groupCount;
  }
  get hasPreferNoScheduleTaints(): boolean {
    return this.#c.hasPreferNoScheduleTaints;
  }
  get podsMissingRequests(): number {
    return this.#c.podsMissingRequests;
  }

  /** Copies of the live per-node arrays, as of now. */
  get resources(): NodeResources {
    const c = this.#c;
    if (this.#copiedAt !== c.changes) {
      const live = c.resources;
      for (const k of RESOURCE_NAMES) this.#copies[k].set(live[k]);
      this.#copiedAt = c.changes;
    }
    this.#handed = true;
    return this.#copies;
  }

  /**
   * After a plug-in call: whether the copies it was handed still match the cluster (when the cluster
   * did not change meanwhile; if it did, the next read copies again). A write is recorded in the log.
   */
  verify(): void {
    const c = this.#c;
    if (!this.#handed || this.#copiedAt !== c.changes) return;
    const live = c.resources;
    for (const k of RESOURCE_NAMES) {
      const mine = this.#copies[k];
      const theirs = live[k];
      for (let i = 0; i < mine.length; i++) {
        // Object.is: a NaN written over a NaN is no change, and -0 over 0 is one.
        if (!Object.is(mine[i], theirs[i])) {
          this.#copiedAt = -1;
          this.#objects.log.refuse(`wrote view.resources.${k}[${i}]`);
        }
      }
    }
  }

  freeCpuMilli(node: number): number {
    return this.#c.freeCpuMilli(node);
  }
  freeMemoryMiB(node: number): number {
    return this.#c.freeMemoryMiB(node);
  }
  allocatableCpuMilli(node: number): number {
    return this.#c.allocatableCpuMilli(node);
  }
  allocatableMemoryMiB(node: number): number {
    return this.#c.allocatableMemoryMiB(node);
  }
  gpuCount(node: number): number {
    return this.#c.gpuCount(node);
  }
  gpuFreeMilli(node: number, g: number): number {
    return this.#c.gpuFreeMilli(node, g);
  }
  gpuModel(node: number): string {
    return this.#c.gpuModel(node);
  }
  rack(node: number): number {
    return this.#c.rack(node);
  }
  isUp(node: number): boolean {
    return this.#c.isUp(node);
  }
  isPresent(node: number): boolean {
    return this.#c.isPresent(node);
  }
  podsOn(node: number): number {
    return this.#c.podsOn(node);
  }
  maxPodsOn(node: number): number {
    return this.#c.maxPodsOn(node);
  }
  maxPods(node: number): number {
    return this.#c.maxPods(node);
  }
  admits(node: number, r: Request): boolean {
    return this.#c.admits(node, this.#objects.unwrap(r));
  }
  groupOf(node: number): number {
    return this.#c.groupOf(node);
  }
  totals(group: number): Readonly<GroupTotals> {
    return this.#objects.wrap(this.#c.totals(group), `view.totals(${group})`);
  }
  isVirtual(node: number): boolean {
    return this.#c.isVirtual(node);
  }
  hasDpu(node: number): boolean {
    return this.#c.hasDpu(node);
  }
  infraCpuMilli(node: number): number {
    return this.#c.infraCpuMilli(node);
  }
  freeNicGbps(node: number): number {
    return this.#c.freeNicGbps(node);
  }
  freeVfs(node: number): number {
    return this.#c.freeVfs(node);
  }
  poolOf(node: number): number {
    return this.#c.poolOf(node);
  }
  poolFreeMiB(pool: number): number {
    return this.#c.poolFreeMiB(pool);
  }
  poolUsedMiB(pool: number): number {
    return this.#c.poolUsedMiB(pool);
  }
  isPoolUp(pool: number): boolean {
    return this.#c.isPoolUp(pool);
  }
  labels(node: number): Readonly<Record<string, string>> {
    return this.#objects.wrap(this.#c.labels(node), `view.labels(${node})`);
  }
  taints(node: number): readonly Taint[] {
    return this.#objects.wrap(this.#c.taints(node), `view.taints(${node})`);
  }
  fits(node: number, r: Request): boolean {
    return this.#c.fits(node, this.#objects.unwrap(r));
  }
  bestFitNode(r: Request): number {
    return this.#c.bestFitNode(this.#objects.unwrap(r));
  }
  collectFitting(r: Request, start: number, want: number, out: Int32Array): [number, number] {
    return this.#c.collectFitting(this.#objects.unwrap(r), start, want, out);
  }

  // What the cluster's owner may do and a plug-in may not: named, so that the message says so.
  place(): never {
    return this.#objects.log.refuse("called view.place()");
  }
  release(): never {
    return this.#objects.log.refuse("called view.release()");
  }
  resize(): never {
    return this.#objects.log.refuse("called view.resize()");
  }
  setUp(): never {
    return this.#objects.log.refuse("called view.setUp()");
  }
  setPresent(): never {
    return this.#objects.log.refuse("called view.setPresent()");
  }
  setPoolUp(): never {
    return this.#objects.log.refuse("called view.setPoolUp()");
  }
}
