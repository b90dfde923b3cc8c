import { csvRows } from "../csv-rows.js";
import { splitCsv } from "../fields.js";
import { readLines } from "../read-lines.js";
import type { LoadOptions } from "../trace-error.js";

/**
 * Alibaba GPU cluster trace v2023 ("openb", Weng et al., "Beware of Fragmentation", ATC'23): node and
 * pod lists as CSV. GPU sharing: a pod asks for `gpuMilli` thousandths of one GPU (numGpu = 1), or for
 * numGpu whole GPUs (gpuMilli = 1000).
 *
 * Pod lists come in two layouts: eleven columns (resources, GPU-model constraint, QoS, phase and times),
 * and the five resource columns alone (the `multigpu` lists). Each file is held to the layout its header
 * names, so a short line in an eleven-column file is still a bad line.
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
  /** Acceptable GPU models; empty when any model will do (and in the five-column lists). */
  gpuSpec: string[];
  /** QoS class and pod phase; "" in the five-column lists. */
  qos: string;
  phase: string;
  /** Times in seconds; NaN where missing, and always in the five-column lists. */
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
/** The leading columns every pod list has (name, CPU, memory, GPU count, GPU thousandths). */
const POD_RESOURCE_COLUMNS = 5;

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

/** The number of header columns of a CSV file (0 for an empty file); the loader then checks them. */
async function headerWidth(file: string): Promise<number> {
  for await (const [line] of readLines(file)) return splitCsv(line).length;
  return 0;
}

export async function* loadOpenbPods(file: string, options: LoadOptions = {}): AsyncGenerator<OpenbPod> {
  const full = (await headerWidth(file)) > POD_RESOURCE_COLUMNS;
  yield* csvRows(
    file,
    {
      header: full ? POD_HEADER : POD_HEADER.slice(0, POD_RESOURCE_COLUMNS),
      minCells: full ? POD_HEADER.length : POD_RESOURCE_COLUMNS,
      parse: (f) => {
        const numGpu = f.wholeNumber(3);
        const gpuMilli = f.wholeNumber(4);
        if (gpuMilli > 1000) f.fail("gpu_milli", "thousandths of a GPU, 0 to 1000", String(gpuMilli));
        // As every published list has them: a share of a GPU only with one GPU, whole GPUs with more,
        // none without (a 500 beside num_gpu 0 was dropped, beside 3 taken for three halves).
        if (numGpu === 0 && gpuMilli !== 0) f.fail("gpu_milli", "0 with num_gpu 0", String(gpuMilli));
        if (numGpu > 1 && gpuMilli !== 1000)
          f.fail("gpu_milli", `1000 with num_gpu ${numGpu} (whole GPUs)`, String(gpuMilli));
        const pod = {
          name: f.text(0),
          cpuMilli: f.nonNegative(1),
          memoryMiB: f.nonNegative(2),
          numGpu,
          gpuMilli,
          gpuSpec: [] as string[],
          qos: "",
          phase: "",
          creationS: NaN,
          deletionS: NaN,
          scheduledS: NaN,
        };
        if (!full) return pod;
        const spec = f.text(5);
        pod.gpuSpec = missing(spec) ? [] : spec.split("|");
        pod.qos = f.text(6);
        pod.phase = f.text(7);
        pod.creationS = f.optionalNonNegative(8);
        pod.deletionS = f.optionalNonNegative(9);
        pod.scheduledS = f.optionalNonNegative(10);
        f.timesInOrder(pod.creationS, pod.scheduledS, pod.deletionS, [
          "creation_time",
          "scheduled_time",
          "deletion_time",
        ]);
        return pod;
      },
    },
    options,
  );
}
