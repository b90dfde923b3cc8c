import type { ClusterState } from "@clustersim/hardware-models";
import type { RunListener } from "../bus/run-events.js";
import { csvNumber, csvText } from "./csv.js";
import type { TaskLedger } from "./task-ledger.js";

export const TIMESERIES_CSV_HEADER =
  "timeS,group,running,waiting,nodes,cpuAllocatedFraction,memoryAllocatedFraction,gpuAllocatedFraction";

/**
 * timeseries.csv: at every sample, the cluster, then each node group: pods running, tasks waiting
 * (cluster only), nodes present, and the allocated fractions of the present nodes' CPU, memory and GPUs,
 * read from the cluster's totals.
 */
export class TimeSeriesRows implements RunListener {
  constructor(
    private readonly cluster: ClusterState,
    private readonly groupNames: readonly string[],
    private readonly ledger: TaskLedger,
    private readonly write: (line: string) => void,
  ) {}

  sample(nowS: number): void {
    const frac = (a: number, c: number) => (c > 0 ? csvNumber(a / c) : "");
    const groups = this.groupNames.length;
    for (let g = -1; g < groups; g++) {
      const t = this.cluster.totals(g);
      const name = g < 0 ? "cluster" : this.groupNames[g];
      this.write(
        `${csvNumber(nowS)},${csvText(name)},${t.pods},${g < 0 ? this.ledger.waiting.size : ""},${t.nodesPresent},${frac(t.allocatedCpuMilli, t.capacityCpuMilli)},${frac(t.allocatedMemoryMiB, t.capacityMemoryMiB)},${frac(t.allocatedGpuMilli, t.capacityGpuMilli)}`,
      );
    }
  }
}
