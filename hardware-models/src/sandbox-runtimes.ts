import type { Rng } from "@clustersim/sim-core";

/**
 * Sandbox runtimes as a scheduler sees them: how long an instance takes to start, how much memory the
 * sandbox itself costs, how much slower work runs inside it, and how strongly it isolates tenants.
 * Row citations refer to ../shared/CALIBRATION.md, "Sandbox runtimes and cold starts"; [U] marks an
 * assumption (a default only, which a scenario can override).
 */
export type Isolation = "process" | "sandbox" | "vm";

export interface RuntimeSpec {
  name: string;
  /** Median cold-start latency, seconds. */
  startMedianS: number;
  /** Log-normal spread of the start latency (σ of its logarithm). */
  startSigma: number;
  /** Hard upper bound of the start latency where one is published, seconds (Infinity otherwise). */
  startMaxS: number;
  /** Memory the sandbox adds per instance, MiB. */
  memoryOverheadMiB: number;
  /** Compute-bound work runs this many times slower than bare metal. */
  computeSlowdown: number;
  /**
   * Cost of one system call, microseconds. For `runTimeFactor` with a workload's system-call rate;
   * scenario runs do not apply it (no task states such a rate).
   */
  syscallUs: number;
  isolation: Isolation;
  /** Start latency when restoring from a snapshot, seconds (NaN when the runtime has none). */
  snapshotRestoreS: number;
}

const MB = 1e6 / 2 ** 20; // the sources give decimal megabytes

export const RUNTIMES: Readonly<Record<string, RuntimeSpec>> = Object.freeze({
  runc: {
    name: "runc",
    startMedianS: 0.02, // "runc ~20 ms/7 MB" (benchmark summary [S])
    startSigma: 0.3, // [U]
    startMaxS: Infinity,
    memoryOverheadMiB: 4.1 * MB, // empty sandbox 4.1 MB (gvisor performance/density.csv [P])
    computeSlowdown: 1,
    syscallUs: 1.9, // gvisor performance/syscall.csv [P]
    isolation: "process",
    snapshotRestoreS: NaN,
  },
  gvisor: {
    name: "gvisor",
    startMedianS: 0.05, // "gVisor ~50 ms/18 MB" [S]
    startSigma: 0.3, // [U]
    startMaxS: Infinity,
    memoryOverheadMiB: 23.7 * MB, // empty sandbox 23.7 MB (density.csv [P])
    computeSlowdown: 1, // user-space compute runs natively; the cost is in system calls [U]
    syscallUs: 38, // gVisor-ptrace 38 µs (syscall.csv [P]); use gvisor-kvm for the KVM platform
    isolation: "sandbox",
    snapshotRestoreS: NaN,
  },
  "gvisor-kvm": {
    name: "gvisor-kvm",
    startMedianS: 0.05, // as gvisor [S]
    startSigma: 0.3, // [U]
    startMaxS: Infinity,
    memoryOverheadMiB: 23.7 * MB, // density.csv [P]
    computeSlowdown: 1, // [U]
    syscallUs: 0.76, // gVisor-KVM 0.76 µs (syscall.csv [P])
    isolation: "sandbox",
    snapshotRestoreS: NaN,
  },
  "kata-qemu": {
    name: "kata-qemu",
    startMedianS: 0.5, // "Kata-QEMU ~500 ms/52 MB" [S]
    startSigma: 0.3, // [U]
    startMaxS: Infinity,
    memoryOverheadMiB: 52 * MB, // [S]
    computeSlowdown: 1 / 0.95, // as Firecracker's ">95% of bare metal" [U for QEMU]
    syscallUs: 1.9, // system calls stay inside the guest kernel [U]
    isolation: "vm",
    snapshotRestoreS: NaN,
  },
  "kata-fc": {
    name: "kata-fc",
    startMedianS: 0.125, // "Kata-FC ~125 ms/28 MB" [S]
    startSigma: 0.3, // [U]
    startMaxS: Infinity,
    memoryOverheadMiB: 28 * MB, // [S]
    computeSlowdown: 1 / 0.95, // Firecracker ">95% of bare metal" (SPECIFICATION.md [P])
    syscallUs: 1.9, // [U]
    isolation: "vm",
    snapshotRestoreS: NaN,
  },
  firecracker: {
    name: "firecracker",
    startMedianS: 0.1, // boot to guest init ≤125 ms (SPECIFICATION.md [P]); median [U]
    startSigma: 0.1, // [U]
    startMaxS: 0.125, // ≤125 ms [P]
    memoryOverheadMiB: 5, // ≤5 MiB per microVM (SPECIFICATION.md [P])
    computeSlowdown: 1 / 0.95, // >95% of bare metal [P]
    syscallUs: 1.9, // [U]
    isolation: "vm",
    snapshotRestoreS: 0.01, // snapshot restore in milliseconds [U]
  },
  wasm: {
    name: "wasm",
    startMedianS: 5e-6, // instantiation 5 µs with Wasmtime 1.0 (Bytecode Alliance [P])
    startSigma: 0.3, // [U]
    startMaxS: Infinity,
    memoryOverheadMiB: 1, // [U]
    computeSlowdown: 1.3, // compiled Wasm versus native [U]
    syscallUs: 1.9, // WASI calls map to host system calls [U]
    isolation: "sandbox",
    snapshotRestoreS: NaN,
  },
});

/** The runtime called `name` (case-insensitive), with any fields overridden. */
export function runtime(name: string, overrides: Partial<RuntimeSpec> = {}): RuntimeSpec {
  const base = RUNTIMES[name.toLowerCase()];
  if (!base) throw new RangeError(`runtime: expected one of ${Object.keys(RUNTIMES).join(", ")}, found "${name}"`);
  return { ...base, ...overrides };
}

/** Cold-start latency of one instance: log-normal around the median, capped at the published bound. */
export function coldStartS(rt: RuntimeSpec, rng: Rng): number {
  return Math.min(rt.startMaxS, rng.lognormal(Math.log(rt.startMedianS), rt.startSigma));
}

/**
 * Start latency given what the node has ready: a warm instance of the function starts at once, a
 * snapshot restores in `snapshotRestoreS`, else a cold start.
 */
export function startLatencyS(rt: RuntimeSpec, rng: Rng, ready: { warm?: boolean; snapshot?: boolean } = {}): number {
  if (ready.warm) return 0;
  if (ready.snapshot && Number.isFinite(rt.snapshotRestoreS)) return rt.snapshotRestoreS;
  return coldStartS(rt, rng);
}

/**
 * How many times longer work takes in this runtime than in runc. `syscallsPerCpuS` is the workload's
 * system calls per second of CPU time (0 for compute-bound work; tens of thousands for I/O-heavy
 * services); each costs `syscallUs` instead of runc's 1.9 µs. Scenario runs use `computeSlowdown` alone:
 * their tasks carry no system-call rate.
 */
export function runTimeFactor(rt: RuntimeSpec, syscallsPerCpuS = 0): number {
  const runcUs = RUNTIMES.runc.syscallUs;
  return rt.computeSlowdown + (syscallsPerCpuS * (rt.syscallUs - runcUs)) / 1e6;
}

const STRENGTH: Record<Isolation, number> = { process: 0, sandbox: 1, vm: 2 };

/** Whether a runtime gives at least the isolation a tenant requires. */
export function isolates(rt: RuntimeSpec, required: Isolation): boolean {
  return STRENGTH[rt.isolation] >= STRENGTH[required];
}
