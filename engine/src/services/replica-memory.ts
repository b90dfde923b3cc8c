import type { Task } from "@clustersim/workloads";
import type { LatencyModel, TickFigures } from "./latency/latency-model.js";
import type { ReplicaSet } from "./replica-set.js";
import type { ServiceConfig } from "./service-config.js";

/**
 * The kubelet's container restart back-off, Kubernetes v1.34 defaults (pkg/kubelet/kubelet.go):
 * initialCrashLoopBackOff 10 s, MaxCrashLoopBackOff 300 s (kubelet config v1beta1.MaxContainerBackOff).
 * The alpha gates that lower them (ReduceDefaultCrashLoopBackOffDecay: 1 s and 60 s;
 * KubeletCrashLoopBackOffMax: a configured maximum) are off by default.
 */
export const CRASH_LOOP_INITIAL_S = 10;
export const CRASH_LOOP_MAX_S = 300;
/**
 * client-go util/flowcontrol/backoff.go, hasExpired: an entry last updated more than twice the maximum
 * before the exit is stale, and the back-off starts over (the "10 minutes of running" of the docs).
 */
export const CRASH_LOOP_RESET_S = 2 * CRASH_LOOP_MAX_S;

/** One container's back-off (client-go's backoffEntry), for the placement of its pod it belongs to. */
interface BackOffEntry {
  backoffS: number;
  lastUpdateS: number;
  placedAtS: number;
}

/**
 * CrashLoopBackOff as the kubelet applies it: doBackOff (pkg/kubelet/kuberuntime/kuberuntime_manager.go)
 * on client-go's flowcontrol.Backoff, keyed by pod and container. A container that exits at time c,
 * its entry's back-off b and last update u:
 * - without an entry, or with c − u > 600 s (it ran over 10 minutes since it last started), is not in
 *   back-off: it starts again at once, and its entry becomes b = 10 s, u = c (Backoff.Next);
 * - otherwise waits while now − c < b (IsInBackOffSince), starts at c + b, and its entry doubles:
 *   b = min(2b, 300 s), u = c + b.
 * So a container killed again and again starts after 0, 10, 20, 40, 80, 160, 300, 300, … s. The
 * kubelet sees the exit and the back-off's end at its next pod sync (the PLEG relists every second):
 * not modelled, the restart is at the back-off's end.
 */
export class CrashLoopBackOff {
  private readonly entries = new Map<Task, BackOffEntry>();

  /**
   * Replica `t`'s container exited at `exitS`: seconds until the kubelet starts it again. `placedAtS`
   * is when its pod was placed: a replica placed again (its node lost) is a new pod, whose back-off
   * starts afresh.
   */
  delayS(t: Task, exitS: number, placedAtS: number): number {
    const e = this.entries.get(t);
    if (!e || e.placedAtS !== placedAtS || exitS - e.lastUpdateS > CRASH_LOOP_RESET_S) {
      this.entries.set(t, { backoffS: CRASH_LOOP_INITIAL_S, lastUpdateS: exitS, placedAtS });
      return 0;
    }
    const delay = e.backoffS;
    e.backoffS = Math.min(2 * e.backoffS, CRASH_LOOP_MAX_S);
    e.lastUpdateS = exitS + delay;
    return delay;
  }

  /** Forget the entries of replicas no longer placed where they were (the kubelet's GC of stale entries). */
  prune(set: ReplicaSet): void {
    for (const [t, e] of this.entries) if (set.startedAt.get(t) !== e.placedAtS) this.entries.delete(t);
  }
}

/**
 * A service's replicas' memory, and the OOM kills and container restarts it causes. A ready replica
 * holds the requests in service on it and those waiting for it; each takes `perRequestMiB` on top of
 * its `baseMiB` at idle. Both models pool a service's requests in one queue over its ready replicas
 * (first come, first served), so a replica holds the tick's mean share: (busy + queued) / ready, from
 * the tick's figures (mean busy servers, requests waiting at its end).
 *
 * When that passes the replica's limit (its memory request unless `limitMiB` says otherwise: a
 * Guaranteed pod, limit = request), the kernel's OOM killer kills its container. The tick's figures are
 * computed at its start for the whole tick, so the kill is dated then: the replica serves that tick and
 * none after, and its back-off runs from the tick's start. Its requests go with it: those waiting are dropped, those in service fail (LatencyModel.loseAll),
 * and the tick's share within the objective shrinks by the failed ones' share of its served requests.
 * Every ready replica holds the same share, so all of them are killed together: the cascade of a
 * service whose memory is sized below its load, and deterministic. The kubelet restarts each in place
 * (same pod, same node: ReplicaSet.containerKilled) after its CrashLoopBackOff; it is ready after the
 * readiness delay, and is killed again if the load (with what waited meanwhile) still does not fit.
 * No replica is created or rescheduled: the ReplicaSet sees its pods, not their containers.
 */
export class ReplicaMemory {
  oomKills = 0;
  /** Containers started again (a kill whose back-off ends after the run, or whose replica went first, is not). */
  containerRestarts = 0;
  /** The most a ready replica's memory in use reached over a tick, MiB: at most its limit, where it is killed. */
  peakMiB = 0;
  private readonly backOff = new CrashLoopBackOff();
  private readonly countRestart = () => {
    this.containerRestarts++;
  };

  constructor(private readonly service: ServiceConfig) {
    const m = service.memory!;
    const request = service.replica.memoryMiB;
    const problem =
      !(m.perRequestMiB >= 0 && Number.isFinite(m.perRequestMiB)) || !(m.baseMiB >= 0 && Number.isFinite(m.baseMiB))
        ? `memory per request and at idle ≥ 0, found ${m.perRequestMiB} and ${m.baseMiB} MiB`
        : m.limitMiB !== undefined && !(m.limitMiB >= request)
          ? `a memory limit ≥ the replica's request (${request} MiB), found ${m.limitMiB} MiB`
          : undefined;
    if (problem) throw new RangeError(`service ${service.name}: expected ${problem}`);
  }

  /** The replicas' memory limit, MiB. */
  private limitMiB(set: ReplicaSet): number {
    return this.service.memory!.limitMiB ?? set.template.memoryMiB;
  }

  /**
   * After the tick at `nowS` whose figures are `f` (`model` served it on the replicas in `set.ready`):
   * their memory in use, and if over the limit, the kill of every one of them.
   */
  afterTick(set: ReplicaSet, f: TickFigures, model: LatencyModel, nowS: number): void {
    const ready = set.ready.size;
    if (ready === 0) return;
    const m = this.service.memory!;
    const limit = this.limitMiB(set);
    const usedMiB = m.baseMiB + ((f.busy + f.queued) / ready) * m.perRequestMiB;
    if (!(usedMiB > limit)) {
      if (usedMiB > this.peakMiB) this.peakMiB = usedMiB;
      return;
    }
    this.peakMiB = limit;
    // The model fails what the replicas held and takes it out of the objective (LatencyModel.loseAll).
    model.loseAll(f);
    // Deleting the entry visited is safe in a Map's iteration.
    for (const t of set.ready.keys()) {
      this.oomKills++;
      const delay = this.backOff.delayS(t, nowS, set.startedAt.get(t)!);
      set.containerKilled(t, nowS + delay, this.countRestart);
    }
    this.backOff.prune(set);
  }

  summary(): Record<string, number> {
    return { oomKills: this.oomKills, containerRestarts: this.containerRestarts, memoryPeakMiB: this.peakMiB };
  }
}
