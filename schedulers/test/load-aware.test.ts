import { ClusterState } from "@clustersim/hardware-models";
import { createPlacement, type NodeLoad, type NodeLoadOptions, type Pod } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import { describe, expect, it } from "vitest";

/**
 * A node load given as a table: each node's predicted usage, whatever the horizon (the horizon asked
 * is kept), and the placements reported.
 */
class TableLoad implements NodeLoad {
  horizons: number[] = [];
  placements: { podId: number; node: number; horizonS: number; limitMilli: number }[] = [];
  gone: number[] = [];
  constructor(readonly usedMilli: number[]) {}
  cpuMilli(node: number, horizonS: number): number {
    this.horizons.push(horizonS);
    return this.usedMilli[node];
  }
  placed(podId: number, node: number, horizonS: number, limitMilli: number): void {
    this.placements.push({ podId, node, horizonS, limitMilli });
  }
  left(podId: number): void {
    this.gone.push(podId);
  }
  back(): void {}
}

const GiB = 1024;
/** Three 10-core nodes with 40 GiB, the load-aware strategy over `load`, and the settings it asked for. */
function setUp(load: TableLoad, params: Record<string, unknown> = {}) {
  const cluster = new ClusterState([0, 1, 2].map(() => ({ cpuMilli: 10_000, memoryMiB: 40 * GiB })));
  let asked: NodeLoadOptions | undefined;
  const strategy = createPlacement("load-aware", params, {
    rng: new RandomStreams(1).get("scheduler"),
    nodeLoad: (o) => {
      asked = o;
      return load;
    },
  });
  return { cluster, strategy, asked: asked! };
}
const pod = (id: number, cpuMilli: number, extra: Partial<Pod> = {}): Pod => ({
  id,
  cpuMilli,
  memoryMiB: GiB,
  ...extra,
});

describe("load-aware placement (Koordinator's LoadAwareScheduling)", () => {
  it("filters out nodes whose predicted usage with the pod's estimate passes the threshold, to the millicore", () => {
    // Threshold 65% of 10 cores = 6,500 m; a 2-core pod is estimated at 85%: 1,700 m. Node 0 at
    // 4,800 m reaches exactly 6,500 (admitted); node 1 at 4,900 m passes it; node 2 at 7,000 m too.
    const load = new TableLoad([4800, 4900, 7000]);
    const { cluster, strategy } = setUp(load);
    expect(strategy.decide(cluster, pod(1, 2000))?.node).toBe(0);
    load.usedMilli[0] = 4801;
    expect(strategy.decide(cluster, pod(2, 2000))).toBeNull();
    // A smaller estimate fits again: 4,801 + 0.85 × 1,998 = 6,499.3.
    expect(strategy.decide(cluster, pod(3, 1998))?.node).toBe(0);
  });

  it("an idle node admits a pod whose estimate alone passes the threshold; a node with any usage does not", () => {
    // 8 cores estimated at 6,800 m, over the 6,500 m threshold even on an empty node: upstream's filter
    // reads the node's usage alone and admits it on an idle one, so it is not left waiting for ever.
    const load = new TableLoad([1, 0, 1]);
    const { cluster, strategy } = setUp(load);
    expect(strategy.decide(cluster, pod(1, 8000))?.node).toBe(1);
    load.usedMilli[1] = 1;
    expect(strategy.decide(cluster, pod(2, 8000))).toBeNull();
  });

  it("scores by least predicted CPU and allocated memory after placement, weighted 1 and 1, not by requests", () => {
    // Node 0 has most requested (6 cores allocated) but is predicted to use least (1,000 m); node 2 has
    // nothing requested but is predicted at 3,000 m. A 1-core pod, estimated 850 m:
    //   node 0: CPU (10,000 − 1,850)/100 = 81.5; memory (40 − 1 − 1)/40 GiB = 95  → 88.25
    //   node 1: CPU (10,000 − 2,850)/100 = 71.5; memory 97.5                      → 84.5
    //   node 2: CPU (10,000 − 3,850)/100 = 61.5; memory 97.5                      → 79.5
    const load = new TableLoad([1000, 2000, 3000]);
    const { cluster, strategy } = setUp(load);
    cluster.place(0, { cpuMilli: 6000, memoryMiB: GiB });
    expect(strategy.decide(cluster, pod(1, 1000))?.node).toBe(0);
    // kube-scheduler's default spreads by requests: it takes an empty node (1 or 2) instead.
    const byRequests = createPlacement(
      "kubernetes-default",
      { tieBreak: "first" },
      { rng: new RandomStreams(1).get("s") },
    );
    expect(byRequests.decide(cluster, pod(1, 1000))?.node).toBe(1);
    // Memory counts as much as CPU: fill node 0's memory to 39 GiB of 40 (CPU score 81.5, memory 0 →
    // 40.75) and node 1 wins.
    cluster.place(0, { cpuMilli: 0, memoryMiB: 38 * GiB });
    expect(strategy.decide(cluster, pod(2, 1000))?.node).toBe(1);
  });

  it("predicts over the pod's requested run time, capped at the trend's window; the window for a pod with none", () => {
    const load = new TableLoad([0, 0, 0]);
    const { cluster, strategy, asked } = setUp(load, { predictor: "trend", window: 20, risk: 0.1 });
    expect(asked).toEqual({ predictor: "trend", windowSamples: 20, risk: 0.1, sampleS: 60 });
    strategy.decide(cluster, pod(1, 1000, { reqTimeS: 300 }));
    strategy.decide(cluster, pod(2, 1000, { reqTimeS: 5000 }));
    strategy.decide(cluster, pod(3, 1000));
    strategy.decide(cluster, pod(4, 1000, { reqTimeS: Number.NaN }));
    expect([...new Set(load.horizons)]).toEqual([300, 1200]);
    expect(load.horizons.filter((h) => h === 300)).toHaveLength(load.horizons.length / 4);
  });

  it("reports its own placements to the load (with the limit they were held to), not binds the run made", () => {
    const load = new TableLoad([0, 0, 6000]);
    const { cluster, strategy } = setUp(load, { cpuThreshold: 0.5 });
    const bind = (p: Pod, node: number) => {
      cluster.place(node, p);
      strategy.bound?.(cluster, p, { node });
    };
    const mine = pod(7, 1000, { reqTimeS: 600 });
    const d = strategy.decide(cluster, mine)!;
    bind(mine, d.node);
    // A pod the strategy never saw (a batch-tier pod, a warm instance's) bound by the run.
    bind(pod(8, 1000), 1);
    // A pod the filter refused everywhere (4 cores of 10, estimated 3.4: over 50% with node 2's 6
    // already), then bound elsewhere by the run (a virtual node, a preemption): not the strategy's.
    load.usedMilli[0] = load.usedMilli[1] = 2000;
    const refused = pod(9, 4000);
    expect(strategy.decide(cluster, refused)).toBeNull();
    bind(refused, 2);
    expect(load.placements).toEqual([{ podId: 7, node: d.node, horizonS: 600, limitMilli: 5000 }]);
    // Every pod that leaves is reported, its own or not.
    strategy.released?.(cluster, mine, d.node);
    strategy.released?.(cluster, refused, 2);
    expect(load.gone).toEqual([7, 9]);
  });

  it("lets preemption evict only where its filter passes", () => {
    const load = new TableLoad([9000, 1000, 1000]);
    const { cluster, strategy } = setUp(load);
    const p = pod(1, 2000);
    expect(strategy.passesOtherFilters?.(cluster, p, 0)).toBe(false);
    expect(strategy.passesOtherFilters?.(cluster, p, 1)).toBe(true);
    // Request-only strategies have no other filter.
    const byRequests = createPlacement("kubernetes-default", {}, { rng: new RandomStreams(1).get("s") });
    expect(byRequests.passesOtherFilters).toBeUndefined();
  });

  it("refuses the trend's settings with the average predictor, and a run without node usage", () => {
    expect(() => setUp(new TableLoad([0, 0, 0]), { window: 10 })).toThrow(/predictor: trend only/);
    expect(() => createPlacement("load-aware", {}, { rng: new RandomStreams(1).get("s") })).toThrow(
      /measures no node usage/,
    );
  });
});
