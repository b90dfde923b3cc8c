import type { Rng } from "@clustersim/sim-core";

/**
 * Sandbox runtimes as a scheduler sees them: how long an instance takes to start, how much memory the
 * sandbox itself costs, how much slower work runs inside it, and how strongly it isolates tenants.
 * Row citations refer to ../shared/CALIBRATION.md, "Sandbox runtimes and cold starts"; [U] marks an
 * assumption (a default only, which a scenario can override).
 *
 * A cold start is modelled as its parts, each measured in its own scope, so that runtimes are compared
 * on the same scope: the container engine's part (the same for every runtime a Kubernetes node runs:
 * ContainerEngine), a VM runtime's VMM process start, and the sandbox's own start (runc's process,
 * gVisor's Sentry, a VM's boot to guest init). What runs inside afterwards (a language runtime, the
 * function's init) belongs to the workload and is not modelled. Memory overheads are whole empty
 * sandboxes: for Firecracker, whose ≤5 MiB is the VMM alone, a guest kernel is added.
 */
export type Isolation = "process" | "sandbox" | "vm";

export interface RuntimeSpec {
  name: string;
  /** Median of the sandbox's own start (not the engine's, nor a VMM's), seconds. */
  startMedianS: number;
  /** Log-normal spread of that start (σ of its logarithm). */
  startSigma: number;
  /** Hard upper bound of that start where one is published, seconds (Infinity otherwise). */
  startMaxS: number;
  /** A VM runtime's VMM process start, drawn uniformly in [min, max] seconds ([0, 0]: none). */
  vmmStartS: readonly [number, number];
  /** Memory of an empty sandbox (a VM's: VMM and guest kernel), MiB, on top of the workload's. */
  memoryOverheadMiB: number;
  /** Compute-bound work runs this many times slower than bare metal. */
  computeSlowdown: number;
  /**
   * Cost of one system call, microseconds: `runTimeFactor` charges it at a task's system-call rate
   * (a workload's `syscalls`).
   */
  syscallUs: number;
  isolation: Isolation;
  /** Start latency when restoring from a snapshot, seconds (NaN when the runtime has none). */
  snapshotRestoreS: number;
}

/**
 * The container engine's part of every cold start on a node (containerd or Docker creating and
 * starting the container, image already present). gVisor's startup.csv measures a whole empty
 * container start through Docker at 1.1–1.2 s for runc and gVisor alike [P]; less runc's own ~20 ms
 * [S], the engine's part is about 1.13 s. Its spread is an assumption [U]. A platform that starts
 * sandboxes without an engine sets it to 0 (`hardware.containerEngine.start`).
 */
export interface ContainerEngine {
  startMedianS: number;
  startSigma: number;
}

export const CONTAINER_ENGINE: Readonly<ContainerEngine> = Object.freeze({ startMedianS: 1.13, startSigma: 0.1 });

/** No engine: only the sandbox's own parts (a runtime's start as its source measured it). */
export const NO_ENGINE: Readonly<ContainerEngine> = Object.freeze({ startMedianS: 0, startSigma: 0 });

const MB = 1e6 / 2 ** 20; // the sources give decimal megabytes

export const RUNTIMES: Readonly<Record<string, RuntimeSpec>> = Object.freeze({
  runc: {
    name: "runc",
    startMedianS: 0.02, // "runc ~20 ms/7 MB" (benchmark summary [S])
    startSigma: 0.3, // [U]
    startMaxS: Infinity,
    vmmStartS: [0, 0],
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
    vmmStartS: [0, 0],
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
    vmmStartS: [0, 0],
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
    vmmStartS: [0, 0],
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
    vmmStartS: [0, 0],
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
    vmmStartS: [0.006, 0.06], // VMM start 6–60 ms wall (SPECIFICATION.md [P]); uniform between [U]
    // The VMM's ≤5 MiB (SPECIFICATION.md [P]) and a guest kernel: Kata-FC's whole 28 MB sandbox [S]
    // less that VMM, about 23 MB, an estimate [U] (a guest's size depends on its kernel build).
    memoryOverheadMiB: 5 + 23 * MB,
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
    vmmStartS: [0, 0],
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

/**
 * Cold-start latency of one instance: the engine's part (log-normal around its median), a VMM's start
 * (uniform in its range), then the sandbox's own start (log-normal, capped at a published bound), each
 * drawn in that order from `rng`.
 */
export function coldStartS(rt: RuntimeSpec, rng: Rng, engine: ContainerEngine = CONTAINER_ENGINE): number {
  const e = engine.startMedianS > 0 ? rng.lognormal(Math.log(engine.startMedianS), engine.startSigma) : 0;
  const [lo, hi] = rt.vmmStartS;
  const vmm = hi > 0 ? rng.uniform(lo, hi) : 0;
  const sandbox = Math.min(rt.startMaxS, rng.lognormal(Math.log(rt.startMedianS), rt.startSigma));
  return e + vmm + sandbox;
}

/**
 * Start latency given what the node has ready: a warm instance of the function starts at once, a
 * snapshot restores in `snapshotRestoreS`, else a cold start.
 */
export function startLatencyS(
  rt: RuntimeSpec,
  rng: Rng,
  ready: { warm?: boolean; snapshot?: boolean } = {},
  engine: ContainerEngine = CONTAINER_ENGINE,
): number {
  if (ready.warm) return 0;
  if (ready.snapshot && Number.isFinite(rt.snapshotRestoreS)) return rt.snapshotRestoreS;
  return coldStartS(rt, rng, engine);
}

/**
 * How many times longer work takes in this runtime than in runc. `syscallsPerCpuS` is the workload's
 * system calls per second of CPU time (0 for compute-bound work; tens of thousands for I/O-heavy
 * services); each costs `syscallUs` instead of runc's 1.9 µs. Scenario runs apply it to every task
 * with a runtime class, at the task's rate (a workload's `syscalls`; 0 by default).
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
