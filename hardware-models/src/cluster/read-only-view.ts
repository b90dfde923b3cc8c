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
 * record the attempt, and `resources` holds copies of the arrays, each taken when read and only if the
 * cluster changed since (a memcpy), and compared with the live array after each plug-in call
 * (`verify`) so that a write to them is reported, not silently ignored. Only the arrays a plug-in
 * reads cost anything: O(nodes) per call that reads one, the order of a loop over the nodes.
 * Objects read through it (group totals, labels, taints) are read-only proxies; requests passed back
 * to it (`fits(node, pod)`) are unwrapped to the run's own object, so that fits reads no proxy.
 */
export class ReadOnlyClusterView implements ClusterView {
  readonly #c: ClusterState;
  readonly #objects: ReadOnlyObjects;
  /** Copies of the live arrays, in RESOURCE_NAMES order, each taken when first read after a change. */
  readonly #copies: (Float64Array | Int32Array)[];
  /** The cluster's change count when each copy was taken; -1: never taken (or to be taken again). */
  readonly #copiedAt: Float64Array;
  /** 1 where the plug-in was ever handed the copy (only those are compared after a call). */
  readonly #handed: Uint8Array;
  /** What `resources` returns: one getter per array, so that only the arrays read are copied. */
  readonly #resources: NodeResources;

  constructor(cluster: ClusterState, objects: ReadOnlyObjects) {
    this.#c = cluster;
    this.#objects = objects;
    const live = cluster.resources;
    this.#copies = RESOURCE_NAMES.map((k) => live[k].slice());
    this.#copiedAt = new Float64Array(RESOURCE_NAMES.length).fill(-1);
    this.#handed = new Uint8Array(RESOURCE_NAMES.length);
    const fields: PropertyDescriptorMap = {};
    RESOURCE_NAMES.forEach((k, i) => {
      fields[k] = { enumerable: true, get: () => this.#copy(i) };
    });
    this.#resources = Object.freeze(Object.defineProperties({}, fields)) as NodeResources;
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

  /** Copies of the live per-node arrays, as of now (each copied when read). */
  get resources(): NodeResources {
    return this.#resources;
  }

  #copy(i: number): Float64Array | Int32Array {
    const c = this.#c;
    const copy = this.#copies[i];
    if (this.#copiedAt[i] !== c.changes) {
      copy.set(c.resources[RESOURCE_NAMES[i]]);
      this.#copiedAt[i] = c.changes;
    }
    this.#handed[i] = 1;
    return copy;
  }

  /**
   * After a plug-in call: whether the copies it was handed still match the cluster (those taken since
   * its last change; an older one is copied again when next read). A write is recorded in the log.
   */
  verify(): void {
    const c = this.#c;
    for (let k = 0; k < RESOURCE_NAMES.length; k++) {
      if (this.#handed[k] === 0 || this.#copiedAt[k] !== c.changes) continue;
      const at = firstDifference(this.#copies[k], c.resources[RESOURCE_NAMES[k]]);
      if (at >= 0) {
        this.#copiedAt[k] = -1;
        this.#objects.log.refuse(`wrote view.resources.${RESOURCE_NAMES[k]}[${at}]`);
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

/** The first index where `a` and `b` differ (NaN equal to NaN), or -1. */
function firstDifference(a: Float64Array | Int32Array, b: Float64Array | Int32Array): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) return i;
  }
  return -1;
}
