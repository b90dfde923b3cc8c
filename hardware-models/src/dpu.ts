/**
 * DPU / SmartNIC offload (../shared/CALIBRATION.md, "DPU / SmartNIC offload"). Without a DPU, network
 * and storage virtualisation costs host cores in proportion to the pods' traffic; with one, that work
 * runs on the DPU's Arm cores, the host cores return to pods, the number of SR-IOV virtual functions
 * caps the pods that need a direct NIC, and traffic beyond the DPU's bandwidth slows network-bound pods.
 */
export interface DpuSpec {
  name: string;
  armCores: number;
  gbps: number;
  /** SR-IOV virtual functions available to pods on one node. */
  vfs: number;
}

export const DPUS: Readonly<Record<string, DpuSpec>> = Object.freeze({
  // NVIDIA manual [P]: 8× Arm A72, 200 Gb/s; VFs: 126 per port (DOCA docs [P]).
  "bluefield-2": { name: "bluefield-2", armCores: 8, gbps: 200, vfs: 126 },
  // NVIDIA DOCA docs [P]: 16× Arm A78, 400 Gb/s; 126 VFs per port [P].
  "bluefield-3": { name: "bluefield-3", armCores: 16, gbps: 400, vfs: 126 },
});

/**
 * Host cores spent on software virtio networking at a given traffic: Firecracker's measurements, 14.5
 * Gbps on ≤0.8 core and 25 Gbps on 1 core (SPECIFICATION.md [P]), joined linearly through the origin
 * and extended beyond 25 Gbps at the last slope, 0.019 core/Gbps. (CALIBRATION's 0.04–0.055 core/Gbps
 * are the two points' averages.) Linear between the points is an assumption.
 */
export function networkInfraCores(gbps: number): number {
  if (gbps <= 0) return 0;
  if (gbps <= 14.5) return (0.8 / 14.5) * gbps;
  return 0.8 + ((1.0 - 0.8) / (25 - 14.5)) * (gbps - 14.5);
}

/** Host cores for software virtio storage: 1 GiB/s on ≤0.7 core (SPECIFICATION.md [P]), linear [U]. */
export function storageInfraCores(gibPerS: number): number {
  return Math.max(0, 0.7 * gibPerS);
}

/** Host cores a node gives to infrastructure: none with a DPU, else the virtio costs of its traffic. */
export function hostInfraCores(hasDpu: boolean, networkGbps: number, storageGiBps = 0): number {
  return hasDpu ? 0 : networkInfraCores(networkGbps) + storageInfraCores(storageGiBps);
}

/**
 * Run-time factor of a network-bound pod on a node whose pods together ask for `demandGbps` through a
 * DPU of `dpuGbps`: 1 while the DPU keeps up, else demand / capacity (fair sharing of the bottleneck).
 */
export function dpuNetworkSlowdown(demandGbps: number, dpuGbps: number): number {
  return demandGbps <= dpuGbps ? 1 : demandGbps / dpuGbps;
}

/** Whether one more pod needing a direct NIC (a VF) fits on a node that already runs `used` such pods. */
export function vfAvailable(dpu: DpuSpec, used: number): boolean {
  return used < dpu.vfs;
}
