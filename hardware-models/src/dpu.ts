/**
 * DPU / SmartNIC offload (../shared/CALIBRATION.md, "DPU / SmartNIC offload"). Without a DPU, network
 * virtualisation costs host cores for each pod's traffic; with one, that work runs on the DPU's Arm
 * cores, the host cores return to pods, the number of SR-IOV virtual functions caps the pods that need
 * a direct NIC, and traffic beyond the DPU's bandwidth slows network-bound pods. Storage virtualisation
 * is not modelled (no task states a storage bandwidth).
 *
 * The card draws power and costs money of its own (`dpuPowerW`, `pricePerHour`): while its node is up
 * it draws `idleW`, plus (`maxW` − `idleW`) × its load, the load being the traffic it carries for its
 * node's pods as a share of its line rate (at most 1). Linear between idle and maximum, as the node's
 * CPU power model (./power-cost.ts) is, and in traffic alone (Arm-core work per Gbps taken as
 * constant): an assumption [U], no published power-versus-load curve for a BlueField.
 */
export interface DpuSpec {
  name: string;
  armCores: number;
  gbps: number;
  /** SR-IOV virtual functions available to pods on one node. */
  vfs: number;
  /** Watts the card draws while its node is up and it carries no traffic. */
  idleW: number;
  /** Watts at full load (traffic at its line rate). */
  maxW: number;
  /** Money per hour the card exists, in the unit of the node groups' `price.perNodeHour`. */
  pricePerHour: number;
}

/**
 * Power and price of the catalogue's cards. Sources and their scope:
 * - BlueField-3 maximum, 150 W: "The maximum power consumption is up to 150W", NVIDIA BlueField-3 DPU
 *   Controller User Manual, Introduction, System Power Supply
 *   (https://docs.nvidia.com/networking/display/BF3DPUController/Introduction) [P]. Scope: the DPU
 *   Controller (a 200 Gb/s self-hosted card) and its power budget, not a measured draw at line rate;
 *   the per-OPN figures of the B3220/B3240 DPUs are in NVIDIA's product specification behind a login.
 *   That those P-Series DPUs need more than the PCIe slot's 75 W is public: they do not power on without
 *   their 8-pin ATX cable (DOCA release notes, https://docs.nvidia.com/doca/sdk/NVIDIA+DOCA+Release+Notes
 *   [P]). Taken as the 400 Gb/s card's draw at full load: beyond the source's scope [U].
 * - BlueField-2 maximum, 75 W: the power a system must supply through the PCIe x16 slot (BF2500 DPU
 *   Controller User Manual, Introduction: "Minimum 75W or greater system power supply through the PCIe
 *   x16 interface", with 75 W more through a 6-pin connector for P-Series controllers;
 *   https://docs.nvidia.com/networking/display/BF2VPIDPUController/Introduction) [P]. Scope: a supply
 *   requirement, not a measured draw; the BlueField-2 user guide points to a "Power and Airflow
 *   Specifications" document available only after login
 *   (https://docs.nvidia.com/networking/display/bluefield2dpuvpi/monitoring). As the card's draw at
 *   full load: [U].
 * - Idle, a third of the maximum (25 W and 50 W): an assumption [U]; nothing published found.
 * - Price, 0.07 per hour (both cards): an assumption [U]: a card price of about 2,500 (a vendor's
 *   "street price roughly $2,000-3,000" for a BlueField-3, early 2026,
 *   https://yobitel.com/knowledge-base/bluefield-3-dpu [S], unconfirmed; no list price is published)
 *   paid off evenly over four years of continuous use (2,500 / 35,040 h ≈ 0.071, rounded), nothing for
 *   financing, support or the slot it takes. BlueField-2 is given the same figure, with no source of
 *   its own.
 */
export const DPUS: Readonly<Record<string, DpuSpec>> = Object.freeze({
  // NVIDIA manual [P]: 8× Arm A72, 200 Gb/s; VFs: 126 per port (DOCA docs [P]). Power and price above.
  "bluefield-2": {
    name: "bluefield-2",
    armCores: 8,
    gbps: 200,
    vfs: 126,
    idleW: 25, // [U]
    maxW: 75, // the x16 slot's supply [P], as a draw [U]
    pricePerHour: 0.07, // [U]
  },
  // NVIDIA DOCA docs [P]: 16× Arm A78, 400 Gb/s; 126 VFs per port [P]. Power and price above.
  "bluefield-3": {
    name: "bluefield-3",
    armCores: 16,
    gbps: 400,
    vfs: 126,
    idleW: 50, // [U]
    maxW: 150, // the DPU Controller's maximum [P], for the 400 Gb/s card [U]
    pricePerHour: 0.07, // [U]
  },
});

/** The load a DPU carries: its node's traffic as a share of its line rate, at most 1 (0 for no line rate). */
export function dpuLoad(demandGbps: number, dpuGbps: number): number {
  return dpuGbps > 0 ? Math.min(1, Math.max(0, demandGbps) / dpuGbps) : 0;
}

/** A DPU's watts at `load` (0..1): linear between its idle and maximum power [U]. */
export function dpuPowerW(dpu: Pick<DpuSpec, "idleW" | "maxW">, load: number): number {
  return dpu.idleW + (dpu.maxW - dpu.idleW) * Math.min(1, Math.max(0, load));
}

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
