import type { Rng } from "@clustersim/sim-core";

/**
 * CXL memory pools (../shared/CALIBRATION.md, "CXL memory pools"). A pool is shared by a set of nodes;
 * a task's memory is split at placement between local DRAM and the pool, and the part of the remote
 * share the task actually touches slows it down:
 *
 *   slowdown = s_w · f_remote · (L_cxl / L_local − 1)
 *
 * CALIBRATION's suggested model: an assumption, not a published one. The per-task sensitivity s_w is
 * drawn once, as measured at the calibration latency: with all memory remote (f_remote = 1) at that
 * latency, 40% of tasks slow down by less than 5%, 35% by 5–25% and 25% by more (Pond, ASPLOS'23, via
 * reviews [S]). A configured latency then scales the slowdown by its extra latency relative to the
 * calibration's, (L_cxl − L_local) / (L_cal − L_local): a slower pool slows tasks more.
 *
 * Bandwidth is not modelled: a pool's link is taken never to be the bottleneck (tasks sharing a pool do
 * not slow each other) [U].
 */
export interface CxlParams {
  /** Local DRAM load latency, ns: ~80–90 (Next Platform; MMU handbook [S]). */
  localLatencyNs: number;
  /** CXL memory load latency, ns: +70–90 over local for a small switchless pool, ~155–180 total (Pond [S]). */
  cxlLatencyNs: number;
  /**
   * The latency the sensitivity buckets stand for, ns: Pond emulates CXL on a remote NUMA node at
   * ~150 ns (MoatLab/Pond README [P]); that its buckets were measured at this latency is an
   * assumption [U].
   */
  calibrationLatencyNs: number;
  /** Upper end of the most sensitive bucket's slowdown at f_remote = 1: [U]. */
  maxSlowdown: number;
  /**
   * Share of a task's pooled memory it touches (the rest costs nothing). Pond: ~50% of VMs never touch
   * 50% of their rented memory [P]; taking the other VMs to touch all of theirs [U], a task touches
   * 0.5 · 0.5 + 0.5 · 1 = 0.75 of its memory on average, and local-first spill puts no more or less of
   * the touched part in the pool than elsewhere [U].
   */
  touchedFraction: number;
}

export const DEFAULT_CXL: Readonly<CxlParams> = Object.freeze({
  localLatencyNs: 85,
  cxlLatencyNs: 165,
  calibrationLatencyNs: 150,
  maxSlowdown: 0.6,
  touchedFraction: 0.75,
});

/** Latency penalty factor L_cxl / L_local − 1 at the configured CXL latency. */
export function latencyPenalty(p: CxlParams = DEFAULT_CXL): number {
  return p.cxlLatencyNs / p.localLatencyNs - 1;
}

/** Latency penalty factor at the calibration latency, L_cal / L_local − 1. */
export function calibrationPenalty(p: CxlParams = DEFAULT_CXL): number {
  return p.calibrationLatencyNs / p.localLatencyNs - 1;
}

/** Slowdown (fractional extra run time) of a task with sensitivity s whose touched remote share is f. */
export function cxlSlowdown(sensitivity: number, remoteFraction: number, p: CxlParams = DEFAULT_CXL): number {
  return sensitivity * remoteFraction * latencyPenalty(p);
}

/**
 * The remote share the slowdown counts: the touched part of the pooled memory, as a share of the
 * task's memory (`touchedFraction` of `pooledMiB` / `memoryMiB`).
 */
export function touchedRemoteFraction(pooledMiB: number, memoryMiB: number, p: CxlParams = DEFAULT_CXL): number {
  return memoryMiB > 0 ? (p.touchedFraction * pooledMiB) / memoryMiB : 0;
}

/**
 * Draw a task's sensitivity s_w: a slowdown at f_remote = 1 from the published buckets (uniform within
 * each), as measured at the calibration latency, so s_w = that slowdown / (L_cal / L_local − 1). It
 * does not depend on the configured CXL latency.
 */
export function drawSensitivity(rng: Rng, p: CxlParams = DEFAULT_CXL): number {
  const u = rng.next();
  const slowdownAtFull =
    u < 0.4 ? rng.uniform(0, 0.05) : u < 0.75 ? rng.uniform(0.05, 0.25) : rng.uniform(0.25, p.maxSlowdown);
  return slowdownAtFull / calibrationPenalty(p);
}

/**
 * One pool: capacity in MiB shared by its member nodes. `allocate` takes what it can of a request and
 * returns the MiB granted; `free` returns memory.
 */
export class CxlPool {
  private used = 0;

  constructor(
    readonly capacityMiB: number,
    readonly nodes: readonly number[],
  ) {
    if (!(capacityMiB >= 0)) throw new RangeError(`CXL pool capacity must be >= 0 MiB, found ${capacityMiB}`);
  }

  get usedMiB(): number {
    return this.used;
  }

  get freeMiB(): number {
    return this.capacityMiB - this.used;
  }

  allocate(mib: number): number {
    const granted = Math.max(0, Math.min(mib, this.freeMiB));
    this.used += granted;
    return granted;
  }

  free(mib: number): void {
    if (mib > this.used + 1e-9)
      throw new RangeError(`CXL pool: freeing ${mib} MiB but only ${this.used} MiB are in use`);
    this.used = Math.max(0, this.used - mib);
  }
}

/**
 * Split a task's memory between local DRAM and the pool. `local-first` uses local DRAM and puts only
 * the rest in the pool; `fraction` puts a fixed share in the pool (as Pond does for memory it predicts
 * untouched). Returns MiB for each, or null when the two together cannot hold the request.
 */
export function splitMemory(
  requestMiB: number,
  localFreeMiB: number,
  poolFreeMiB: number,
  policy: { kind: "local-first" } | { kind: "fraction"; remote: number },
): { localMiB: number; poolMiB: number } | null {
  if (requestMiB > localFreeMiB + poolFreeMiB) return null;
  if (policy.kind === "local-first") {
    const localMiB = Math.min(requestMiB, localFreeMiB);
    return { localMiB, poolMiB: requestMiB - localMiB };
  }
  const poolMiB = Math.min(poolFreeMiB, requestMiB * policy.remote);
  const localMiB = requestMiB - poolMiB;
  return localMiB <= localFreeMiB ? { localMiB, poolMiB } : null;
}

/**
 * Memory stranded on nodes whose CPU is used up (less than `minCpuMilli` free): free DRAM nothing can
 * use (Pond's notion; up to 25% of DRAM in its fleet [P]).
 */
export function strandedMemoryMiB(
  freeCpuMilli: ArrayLike<number>,
  freeMemMiB: ArrayLike<number>,
  minCpuMilli: number,
): number {
  let stranded = 0;
  for (let i = 0; i < freeCpuMilli.length; i++) if (freeCpuMilli[i] < minCpuMilli) stranded += freeMemMiB[i];
  return stranded;
}
