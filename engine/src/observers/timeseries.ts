import type { ClusterState } from "@clustersim/hardware-models";
import type { RunListener } from "../bus/run-events.js";
import { type Column, csvLine, round6 } from "./csv.js";
import type { TaskLedger } from "./task-ledger.js";

export const TIMESERIES_COLUMNS: readonly Column[] = [
  { name: "timeS", type: "float" },
  { name: "group", type: "text" },
  { name: "running", type: "int" },
  { name: "waiting", type: "int" },
  { name: "nodes", type: "int" },
  { name: "cpuAllocatedFraction", type: "float" },
  { name: "memoryAllocatedFraction", type: "float" },
  { name: "gpuAllocatedFraction", type: "float" },
];
export const TIMESERIES_CSV_HEADER = TIMESERIES_COLUMNS.map((c) => c.name).join(",");

/**
 * timeseries.csv: at every sample, the cluster, then each node group: pods running, tasks waiting
 * (cluster only), nodes present, and the allocated fractions of the present nodes' CPU, memory and GPUs,
 * read from the cluster's totals.
 */
export class TimeSeriesRows implements RunListener {
  private readonly values: (number | string)[] = new Array(TIMESERIES_COLUMNS.length);

  constructor(
    private readonly cluster: ClusterState,
    private readonly groupNames: readonly string[],
    private readonly ledger: TaskLedger,
    private readonly write?: (line: string) => void,
    private readonly record?: (values: readonly (number | string)[]) => void,
  ) {}

  sample(nowS: number): void {
    const frac = (a: number, c: number) => (c > 0 ? round6(a / c) : Number.NaN);
    const v = this.values;
    for (let g = -1; g < this.groupNames.length; g++) {
      const t = this.cluster.totals(g);
      v[0] = round6(nowS);
      v[1] = g < 0 ? "cluster" : this.groupNames[g];
      v[2] = t.pods;
      v[3] = g < 0 ? this.ledger.waiting.size : Number.NaN;
      v[4] = t.nodesPresent;
      v[5] = frac(t.allocatedCpuMilli, t.capacityCpuMilli);
      v[6] = frac(t.allocatedMemoryMiB, t.capacityMemoryMiB);
      v[7] = frac(t.allocatedGpuMilli, t.capacityGpuMilli);
      this.write?.(csvLine(v));
      this.record?.(v);
    }
  }
}
