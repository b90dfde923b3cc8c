/**
 * kube-scheduler's DefaultPreemption (PostFilter), as Kubernetes v1.31–v1.33 chooses victims and a node
 * (pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go, SelectVictimsOnNode;
 * pkg/scheduler/framework/preemption/preemption.go, DryRunPreemption and pickOneNodeForPreemption).
 * Pure functions over plain numbers; the online loop (../runs/online-loop.ts) supplies the nodes and
 * their pods. No PodDisruptionBudgets exist in a run, so no victim violates one.
 */

/** A running pod as preemption weighs it. */
export interface PodOnNode {
  /** The run's placement id. */
  id: number;
  priority: number;
  startS: number;
  cpuMilli: number;
  memoryMiB: number;
}

/** A node's room: free CPU and memory, and how many more pods it admits. */
export interface NodeRoom {
  freeCpuMilli: number;
  freeMemoryMiB: number;
  freePods: number;
}

export interface Candidate {
  node: number;
  /** Victims, the most important first (priority descending, then earlier start). */
  victims: PodOnNode[];
}

/** MoreImportantPod: higher priority, then the earlier start. */
export const moreImportant = (a: PodOnNode, b: PodOnNode) => b.priority - a.priority || a.startS - b.startS;

/**
 * SelectVictimsOnNode: take away every pod of strictly lower priority; if the preemptor still does not
 * fit, the node is no candidate; otherwise give pods back, the most important first, each one kept if
 * the preemptor still fits. The pods not given back are the victims (none: no candidate).
 */
export function selectVictimsOnNode(
  room: NodeRoom,
  pods: readonly PodOnNode[],
  request: { cpuMilli: number; memoryMiB: number; priority: number },
): PodOnNode[] | undefined {
  const lower = pods.filter((p) => p.priority < request.priority);
  if (lower.length === 0) return undefined;
  let cpu = room.freeCpuMilli - request.cpuMilli;
  let mem = room.freeMemoryMiB - request.memoryMiB;
  let slots = room.freePods - 1;
  for (const p of lower) {
    cpu += p.cpuMilli;
    mem += p.memoryMiB;
    slots++;
  }
  if (cpu < 0 || mem < 0 || slots < 0) return undefined;
  const victims: PodOnNode[] = [];
  for (const p of [...lower].sort(moreImportant)) {
    if (cpu - p.cpuMilli >= 0 && mem - p.memoryMiB >= 0 && slots - 1 >= 0) {
      cpu -= p.cpuMilli;
      mem -= p.memoryMiB;
      slots--;
    } else victims.push(p);
  }
  return victims.length > 0 ? victims : undefined;
}

/** How many candidates the dry run looks for: 10% of the potential nodes, at least 100 (the defaults). */
export function candidatesWanted(potential: number, percentage = 10, absolute = 100): number {
  return Math.min(Math.max(Math.floor((potential * percentage) / 100), absolute), potential);
}

const OFFSET = 2 ** 31;

/**
 * pickOneNodeForPreemption, no PDBs: the lowest highest-priority victim; then the smallest sum of
 * victims' priorities (each offset to be non-negative); then the fewest victims; then the latest
 * earliest start among each node's highest-priority victims; then the first candidate found (upstream
 * takes one from a map: in effect at random).
 */
export function pickOneNode(candidates: readonly Candidate[]): Candidate | undefined {
  let best = [...candidates];
  const keep = (score: (c: Candidate) => number) => {
    if (best.length <= 1) return;
    let max = Number.NEGATIVE_INFINITY;
    for (const c of best) max = Math.max(max, score(c));
    best = best.filter((c) => score(c) === max);
  };
  keep((c) => -c.victims[0].priority);
  keep((c) => -c.victims.reduce((s, v) => s + v.priority + OFFSET, 0));
  keep((c) => -c.victims.length);
  keep((c) => {
    const top = c.victims[0].priority;
    let earliest = Number.POSITIVE_INFINITY;
    for (const v of c.victims) if (v.priority === top) earliest = Math.min(earliest, v.startS);
    return earliest;
  });
  return best[0];
}
