import { csvRows } from "../csv-rows.js";
import type { LoadOptions } from "../trace-error.js";

/**
 * Alibaba GPU trace v2025: instances of disaggregated DLRM serving. `role` is CN (CPU node) or HN
 * (heterogeneous GPU node). Units as in the upstream README: CPU in vCPUs, GPU in devices, RDMA as a
 * percentage (0–100) of one RDMA NIC's bandwidth, memory and disk in GiB. Times in seconds from the
 * trace start; NaN where the instance was created or scheduled before the trace, or deleted after it.
 */
export interface DlrmInstance {
  name: string;
  role: string;
  app: string;
  cpuRequest: number;
  cpuLimit: number;
  gpuRequest: number;
  gpuLimit: number;
  rdmaRequest: number;
  rdmaLimit: number;
  memoryRequest: number;
  memoryLimit: number;
  diskRequest: number;
  diskLimit: number;
  /** Most instances of the same app on one node; Infinity where the trace says -1 (no limit). */
  maxInstancePerNode: number;
  creationS: number;
  scheduledS: number;
  deletionS: number;
}

const HEADER = [
  "instance_sn",
  "role",
  "app_name",
  "cpu_request",
  "cpu_limit",
  "gpu_request",
  "gpu_limit",
  "rdma_request",
  "rdma_limit",
  "memory_request",
  "memory_limit",
  "disk_request",
  "disk_limit",
  "max_instance_per_node",
  "creation_time",
  "scheduled_time",
  "deletion_time",
] as const;

export function loadAlibabaDlrm(file: string, options: LoadOptions = {}): AsyncGenerator<DlrmInstance> {
  return csvRows(
    file,
    {
      header: HEADER,
      minCells: 17,
      parse: (f) => {
        const times = [14, 15, 16].map((i) => f.optionalNonNegative(i));
        f.timesInOrder(times[0], times[1], times[2], ["creation_time", "scheduled_time", "deletion_time"]);
        return {
          name: f.text(0),
          role:
            f.text(1) === "CN" || f.text(1) === "HN"
              ? f.text(1)
              : f.fail("role", "CN or HN", JSON.stringify(f.text(1))),
          app: f.text(2),
          cpuRequest: f.nonNegative(3),
          cpuLimit: f.nonNegative(4),
          gpuRequest: f.nonNegative(5),
          gpuLimit: f.nonNegative(6),
          rdmaRequest: f.nonNegative(7),
          rdmaLimit: f.nonNegative(8),
          memoryRequest: f.nonNegative(9),
          memoryLimit: f.nonNegative(10),
          diskRequest: f.nonNegative(11),
          diskLimit: f.nonNegative(12),
          maxInstancePerNode: f.text(13) === "-1" ? Infinity : f.wholeNumber(13),
          creationS: times[0],
          scheduledS: times[1],
          deletionS: times[2],
        };
      },
    },
    options,
  );
}
