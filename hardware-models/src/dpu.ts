/**
 * DPU / SmartNIC offload (../shared/CALIBRATION.md, "DPU / SmartNIC offload"). Without a DPU, network
 * virtualisation costs host cores for each pod's traffic; with one, that work runs on the DPU's Arm
 * cores, the host cores return to pods, the number of SR-IOV virtual functions caps the pods that need
 * a direct NIC, and traffic beyond the DPU's bandwidth slows network-bound pods. Storage virtualisation
 * is not modelled (no task states a storage bandwidth).
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

/** Per-pod traffic up to which the virtio cost is measured: Firecracker's 25 Gbps point [P]. */
export const VIRTIO_MEASURED_GBPS = 25;

/**
 * Host cores one pod's software virtio networking costs at its own traffic. Firecracker measures it
 * per microVM, whose one emulation thread runs on one core (SPECIFICATION.md [P]): 14.5 Gbps on ≤0.8
 * core and 25 Gbps on 1 core (0.055 and 0.04 core/Gbps). The curve joins the points linearly through
 * the origin (linear between them is an assumption [U]). Beyond 25 Gbps per pod nothing is measured:
 * the cost stays at the one core of the pod's emulation thread [U]. A node's cost is the sum over its
 * pods (each on this curve), not the curve applied to the node's total traffic.
 */
export function networkInfraCores(podGbps: number): number {
  if (podGbps <= 0) return 0;
  if (podGbps <= 14.5) return (0.8 / 14.5) * podGbps;
  return 0.8 + ((1.0 - 0.8) / (VIRTIO_MEASURED_GBPS - 14.5)) * (Math.min(podGbps, VIRTIO_MEASURED_GBPS) - 14.5);
}

/** Host cores one pod's virtio networking takes on its node: none with a DPU, else `networkInfraCores`. */
export function hostInfraCores(hasDpu: boolean, podGbps: number): number {
  return hasDpu ? 0 : networkInfraCores(podGbps);
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
