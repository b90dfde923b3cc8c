import { csvRows } from "../csv-rows.js";
import type { LoadOptions } from "../trace-error.js";

/**
 * Alibaba GPU cluster trace v2023 ("openb", Weng et al., "Beware of Fragmentation", ATC'23): node and
 * pod lists as CSV. GPU sharing: a pod asks for `gpuMilli` thousandths of one GPU (numGpu = 1), or for
 * numGpu whole GPUs (gpuMilli = 1000).
 */
export interface OpenbNode {
  name: string;
  cpuMilli: number;
  memoryMiB: number;
  gpus: number;
  /** GPU model (P100, V100M32, G1, …); empty for CPU-only nodes. */
  gpuModel: string;
}

export interface OpenbPod {
  name: string;
  cpuMilli: number;
  memoryMiB: number;
  numGpu: number;
  /** Thousandths of each GPU requested (1000 = a whole GPU). */
  gpuMilli: number;
  /** Acceptable GPU models; empty when any model will do. */
  gpuSpec: string[];
  qos: string;
  phase: string;
  creationS: number;
  deletionS: number;
  scheduledS: number;
}

const NODE_HEADER = ["sn", "cpu_milli", "memory_mib", "gpu", "model"] as const;
const POD_HEADER = [
  "name",
  "cpu_milli",
  "memory_mib",
  "num_gpu",
  "gpu_milli",
  "gpu_spec",
  "qos",
  "pod_phase",
  "creation_time",
  "deletion_time",
  "scheduled_time",
] as const;

const missing = (t: string) => t === "" || t === "nan";

export function loadOpenbNodes(file: string, options: LoadOptions = {}): AsyncGenerator<OpenbNode> {
  return csvRows(
    file,
    {
      header: NODE_HEADER,
      minCells: 5,
      parse: (f) => ({
        name: f.text(0),
        cpuMilli: f.nonNegative(1),
        memoryMiB: f.nonNegative(2),
        gpus: f.wholeNumber(3),
        gpuModel: missing(f.text(4)) ? "" : f.text(4),
      }),
    },
    options,
  );
}

export function loadOpenbPods(file: string, options: LoadOptions = {}): AsyncGenerator<OpenbPod> {
  return csvRows(
    file,
    {
      header: POD_HEADER,
      minCells: 11,
      parse: (f) => {
        const numGpu = f.wholeNumber(3);
        const gpuMilli = f.wholeNumber(4);
        if (gpuMilli > 1000) f.fail("gpu_milli", "thousandths of a GPU, 0 to 1000", String(gpuMilli));
        const spec = f.text(5);
        return {
          name: f.text(0),
          cpuMilli: f.nonNegative(1),
          memoryMiB: f.nonNegative(2),
          numGpu,
          gpuMilli,
          gpuSpec: missing(spec) ? [] : spec.split("|"),
          qos: f.text(6),
          phase: f.text(7),
          creationS: f.optionalNonNegative(8),
          deletionS: f.optionalNonNegative(9),
          scheduledS: f.optionalNonNegative(10),
        };
      },
    },
    options,
  );
}
