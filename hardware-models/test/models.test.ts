import {
  availability,
  ClusterState,
  CONTAINER_ENGINE,
  CxlPool,
  coldStartS,
  cxlSlowdown,
  DEFAULT_CXL,
  DEFAULT_GPU_POWER,
  DPUS,
  dpuLoad,
  dpuNetworkSlowdown,
  dpuPowerW,
  drawSensitivity,
  EnergyMeter,
  gammaFunction,
  gpuPowerOf,
  hostInfraCores,
  isolates,
  meanGpuPower,
  NO_ENGINE,
  networkInfraCores,
  nodeCost,
  powerW,
  RUNTIMES,
  runTimeFactor,
  runtime,
  splitMemory,
  startLatencyS,
  strandedMemoryMiB,
  timeToFailureS,
  touchedRemoteFraction,
  VIRTIO_MEASURED_GBPS,
  vfAvailable,
} from "@clustersim/hardware-models";
import { RandomStreams } from "@clustersim/sim-core";
import { gamma } from "mathjs";
import { describe, expect, it } from "vitest";

const rng = (name: string) => new RandomStreams(42).get(name);

describe("sandbox runtimes at their calibration points", () => {
  it("Firecracker: the VMM starts in 6–60 ms and boots to guest init within 125 ms; the VMM takes ≤5 MiB, with a guest kernel 28 MB", () => {
    const fc = RUNTIMES.firecracker;
    const r = rng("fc");
    // Without an engine, a start is the VMM's and the boot's: 6 + (≤125) ms at least, 60 + 125 ms at most.
    const starts = Array.from({ length: 10_000 }, () => coldStartS(fc, r, NO_ENGINE));
    expect(Math.max(...starts)).toBeLessThanOrEqual(0.06 + 0.125);
    expect(Math.min(...starts)).toBeGreaterThan(0.006);
    // Whole empty sandboxes, like the containers' figures: the VMM's 5 MiB plus a 23 MB guest kernel.
    expect(fc.memoryOverheadMiB).toBeCloseTo(5 + (23 * 1e6) / 2 ** 20, 9);
    expect((fc.memoryOverheadMiB * 2 ** 20) / 1e6).toBeCloseTo(28, 0); // Kata-FC's whole sandbox
    expect(1 / runTimeFactor(fc, 0)).toBeCloseTo(0.95, 6); // >95% of bare metal for compute
  });

  it("sandbox parts centre on the published figures: runc 20 ms, gVisor 50 ms, Kata-QEMU 500 ms, Kata-FC 125 ms, Wasm 5 µs", () => {
    for (const [name, median] of [
      ["runc", 0.02],
      ["gvisor", 0.05],
      ["kata-qemu", 0.5],
      ["kata-fc", 0.125],
      ["wasm", 5e-6],
    ] as const) {
      const r = rng(name);
      const xs = Array.from({ length: 4001 }, () => coldStartS(RUNTIMES[name], r, NO_ENGINE)).sort((a, b) => a - b);
      expect(Math.abs(xs[2000] / median - 1)).toBeLessThan(0.05);
    }
  });

  it("compares runtimes on one scope: through the engine, runc and gVisor start alike, 1.1–1.2 s (startup.csv)", () => {
    const median = (name: string) => {
      const r = rng(`engine-${name}`);
      const xs = Array.from({ length: 4001 }, () => coldStartS(RUNTIMES[name]!, r)).sort((a, b) => a - b);
      return xs[2000]!;
    };
    const runc = median("runc");
    const gvisor = median("gvisor");
    for (const x of [runc, gvisor]) {
      expect(x).toBeGreaterThan(1.1);
      expect(x).toBeLessThan(1.2);
    }
    expect(Math.abs(gvisor / runc - 1)).toBeLessThan(0.04);
    // The engine's part is the same for all: Wasm's 5 µs instantiation no longer makes it 10,000× faster.
    expect(median("runc") / median("wasm")).toBeLessThan(1.05);
    expect(CONTAINER_ENGINE.startMedianS).toBe(1.13);
  });

  it("gVisor's sandbox costs 23.7 MB against runc's 4.1 MB (density.csv)", () => {
    expect((RUNTIMES.gvisor.memoryOverheadMiB * 2 ** 20) / 1e6).toBeCloseTo(23.7, 9);
    expect((RUNTIMES.runc.memoryOverheadMiB * 2 ** 20) / 1e6).toBeCloseTo(4.1, 9);
  });

  it("system calls: gVisor-ptrace 38 µs vs runc 1.9 µs makes I/O-heavy work slower, KVM platform faster", () => {
    expect(runTimeFactor(RUNTIMES.runc, 50_000)).toBe(1);
    expect(runTimeFactor(RUNTIMES.gvisor, 50_000)).toBeCloseTo(1 + 50_000 * (38 - 1.9) * 1e-6, 12); // 2.805×
    expect(runTimeFactor(RUNTIMES.gvisor, 0)).toBe(1);
    expect(runTimeFactor(RUNTIMES["gvisor-kvm"], 50_000)).toBeLessThan(1);
  });

  it("isolation: VM-isolated tenants only in VM runtimes; warm starts and snapshots", () => {
    expect(
      Object.values(RUNTIMES)
        .filter((r) => isolates(r, "vm"))
        .map((r) => r.name)
        .sort(),
    ).toEqual(["firecracker", "kata-fc", "kata-qemu"]);
    expect(isolates(RUNTIMES.gvisor, "sandbox")).toBe(true);
    expect(isolates(RUNTIMES.runc, "sandbox")).toBe(false);
    expect(startLatencyS(RUNTIMES.gvisor, rng("w"), { warm: true })).toBe(0);
    expect(startLatencyS(RUNTIMES.firecracker, rng("w"), { snapshot: true })).toBe(0.01);
    expect(runtime("Firecracker", { memoryOverheadMiB: 3 }).memoryOverheadMiB).toBe(3);
    expect(() => runtime("docker")).toThrow(/expected one of runc, gvisor/);
  });
});

describe("CXL memory pools", () => {
  it("reproduce the sensitivity buckets with all memory remote at the calibration latency: 40% < 5%, 35% 5–25%, 25% > 25%", () => {
    const r = rng("cxl");
    const n = 100_000;
    const atCalibration = { ...DEFAULT_CXL, cxlLatencyNs: DEFAULT_CXL.calibrationLatencyNs };
    const s = Array.from({ length: n }, () => cxlSlowdown(drawSensitivity(r, atCalibration), 1, atCalibration));
    const share = (lo: number, hi: number) => s.filter((x) => x >= lo && x < hi).length / n;
    expect(share(0, 0.05)).toBeCloseTo(0.4, 2);
    expect(share(0.05, 0.25)).toBeCloseTo(0.35, 2);
    expect(share(0.25, Infinity)).toBeCloseTo(0.25, 2);
  });

  it("slow a task in proportion to its remote share and the latency ratio (165 ns vs 85 ns by default)", () => {
    expect(DEFAULT_CXL.cxlLatencyNs - DEFAULT_CXL.localLatencyNs).toBeGreaterThanOrEqual(70);
    expect(DEFAULT_CXL.cxlLatencyNs - DEFAULT_CXL.localLatencyNs).toBeLessThanOrEqual(90);
    expect(cxlSlowdown(0.5, 0)).toBe(0);
    expect(cxlSlowdown(0.5, 0.5)).toBeCloseTo(0.25 * (165 / 85 - 1), 12);
  });

  it("slow tasks more on a slower pool: the slowdown scales with the extra latency over the calibration's", () => {
    // The same tasks (same draws) at 165, 235 and 410 ns. By hand: Pond's buckets give a mean slowdown
    // at f = 1 of 0.4·0.025 + 0.35·0.15 + 0.25·0.425 = 0.16875 at the calibration latency (150 ns, local
    // 85 ns), scaled by (L − 85) / (150 − 85): 80/65, 150/65 and 325/65 of it.
    const mean = (cxlLatencyNs: number) => {
      const p = { ...DEFAULT_CXL, cxlLatencyNs };
      const r = rng("cxl-latency");
      let sum = 0;
      for (let i = 0; i < 200_000; i++) sum += cxlSlowdown(drawSensitivity(r, p), 1, p);
      return sum / 200_000;
    };
    const [a, b, c] = [mean(165), mean(235), mean(410)];
    expect(a).toBeLessThan(b);
    expect(b).toBeLessThan(c);
    expect(a).toBeCloseTo((0.16875 * 80) / 65, 2);
    expect(b).toBeCloseTo((0.16875 * 150) / 65, 2);
    expect(c).toBeCloseTo((0.16875 * 325) / 65, 2);
    expect(c / a).toBeCloseTo(325 / 80, 9);
  });

  it("count only the touched share of pooled memory: 0.75 by default (Pond: half the VMs leave half untouched)", () => {
    expect(DEFAULT_CXL.touchedFraction).toBe(0.75);
    expect(touchedRemoteFraction(400, 1000)).toBeCloseTo(0.3, 12);
    expect(touchedRemoteFraction(400, 1000, { ...DEFAULT_CXL, touchedFraction: 1 })).toBeCloseTo(0.4, 12);
    expect(touchedRemoteFraction(400, 0)).toBe(0);
  });

  it("split memory and account pool capacity", () => {
    expect(splitMemory(100, 60, 100, { kind: "local-first" })).toEqual({ localMiB: 60, poolMiB: 40 });
    expect(splitMemory(100, 100, 100, { kind: "fraction", remote: 0.3 })).toEqual({ localMiB: 70, poolMiB: 30 });
    expect(splitMemory(300, 100, 100, { kind: "local-first" })).toBeNull();
    const pool = new CxlPool(1000, [0, 1, 2, 3]);
    expect(pool.allocate(800)).toBe(800);
    expect(pool.allocate(800)).toBe(200);
    pool.free(500);
    expect(pool.freeMiB).toBe(500);
    expect(() => pool.free(600)).toThrow(/only 500 MiB are in use/);
    expect(strandedMemoryMiB([0, 500, 4000], [1000, 2000, 3000], 1000)).toBe(3000);
  });
});

describe("DPU offload", () => {
  it("virtio costs host cores at Firecracker's measured points per microVM: 14.5 Gbps → 0.8 core, 25 Gbps → 1 core", () => {
    expect(networkInfraCores(14.5)).toBeCloseTo(0.8, 12);
    expect(networkInfraCores(25)).toBeCloseTo(1.0, 12);
    expect(networkInfraCores(14.5) / 14.5).toBeCloseTo(0.055, 3);
    expect(networkInfraCores(25) / 25).toBeCloseTo(0.04, 3);
    expect(hostInfraCores(true, 25)).toBe(0);
    expect(hostInfraCores(false, 25)).toBeCloseTo(1, 12);
  });

  it("holds one pod's virtio cost at its emulation thread's one core beyond the measured 25 Gbps [U]", () => {
    expect(VIRTIO_MEASURED_GBPS).toBe(25);
    expect(networkInfraCores(40)).toBeCloseTo(1, 12);
    expect(networkInfraCores(400)).toBeCloseTo(1, 12);
  });

  it("caps direct-NIC pods at the VF count and slows traffic beyond the DPU's bandwidth", () => {
    expect(DPUS["bluefield-2"]).toMatchObject({ armCores: 8, gbps: 200, vfs: 126 });
    expect(DPUS["bluefield-3"]).toMatchObject({ armCores: 16, gbps: 400 });
    expect(vfAvailable(DPUS["bluefield-2"], 125)).toBe(true);
    expect(vfAvailable(DPUS["bluefield-2"], 126)).toBe(false);
    expect(dpuNetworkSlowdown(150, 200)).toBe(1);
    expect(dpuNetworkSlowdown(300, 200)).toBe(1.5);
  });

  it("a DPU draws idle power plus (max − idle) × its load, the load being its traffic over its line rate", () => {
    // Catalogue: the maximum from NVIDIA's power budgets (75 W, 150 W), idle a third of it [U].
    expect(DPUS["bluefield-2"]).toMatchObject({ idleW: 25, maxW: 75, pricePerHour: 0.07 });
    expect(DPUS["bluefield-3"]).toMatchObject({ idleW: 50, maxW: 150, pricePerHour: 0.07 });
    // 100 of 400 Gbps: load 0.25; the load stops at 1 past the line rate.
    expect([dpuLoad(0, 400), dpuLoad(100, 400), dpuLoad(400, 400), dpuLoad(600, 400), dpuLoad(5, 0)]).toEqual([
      0, 0.25, 1, 1, 0,
    ]);
    const bf3 = DPUS["bluefield-3"];
    // 50 + 100 × 0.25 = 75 W; idle 50 W; full 150 W.
    expect([dpuPowerW(bf3, 0), dpuPowerW(bf3, 0.25), dpuPowerW(bf3, 1), dpuPowerW(bf3, 1.5)]).toEqual([
      50, 75, 150, 150,
    ]);
  });
});

describe("failures", () => {
  it("draw failure times with the MTBF as mean, exponential or Weibull", () => {
    const n = 100_000;
    for (const model of [
      { mtbfS: 1000, mttrS: 10, distribution: "exponential" as const },
      { mtbfS: 1000, mttrS: 10, distribution: "weibull" as const, shape: 0.7 },
      { mtbfS: 1000, mttrS: 10, distribution: "weibull" as const, shape: 2 },
    ]) {
      const r = rng(`f${model.shape ?? 1}`);
      const xs = Array.from({ length: n }, () => timeToFailureS(r, model));
      const mean = xs.reduce((a, b) => a + b) / n;
      const k = model.shape ?? 1;
      const sd = 1000 * Math.sqrt((gamma(1 + 2 / k) as number) / (gamma(1 + 1 / k) as number) ** 2 - 1);
      expect(Math.abs(mean - 1000)).toBeLessThan(5 * (sd / Math.sqrt(n)));
    }
    expect(availability({ mtbfS: 990, mttrS: 10, distribution: "exponential" })).toBeCloseTo(0.99, 12);
  });

  it("the gamma function agrees with mathjs", () => {
    for (const x of [0.3, 1, 1.5, 2.43, 7.1, 20]) expect(gammaFunction(x) / (gamma(x) as number)).toBeCloseTo(1, 12);
  });
});

describe("power and cost", () => {
  it("power is linear in utilisation; energy integrates it", () => {
    const m = { idleW: 100, peakW: 300 };
    expect([powerW(m, 0), powerW(m, 0.5), powerW(m, 1), powerW(m, 2)]).toEqual([100, 200, 300, 300]);
    const meter = new EnergyMeter(m);
    meter.advance(0, 1);
    meter.advance(1800, 0);
    expect(meter.kWh(3600)).toBeCloseTo((300 * 1800 + 100 * 1800) / 3.6e6, 12);
  });

  it("GPU power by model, a group's as the mean over its GPUs, drawn by the GPUs of nodes up only", () => {
    expect(gpuPowerOf("T4")).toEqual({ idleW: 10, peakW: 70 });
    expect(gpuPowerOf("G2")).toEqual(DEFAULT_GPU_POWER);
    expect(gpuPowerOf(undefined)).toEqual(DEFAULT_GPU_POWER);
    // Two T4s and two V100s: idle (2 × 10 + 2 × 30) / 4 = 20 W, peak (2 × 70 + 2 × 300) / 4 = 185 W.
    expect(
      meanGpuPower(
        new Map([
          ["T4", 2],
          ["V100M16", 2],
        ]),
      ),
    ).toEqual({ idleW: 20, peakW: 185 });
    const c = new ClusterState([
      { cpuMilli: 8000, memoryMiB: 1024, gpus: 4, group: 0 },
      { cpuMilli: 8000, memoryMiB: 1024, gpus: 2, group: 0, present: false },
    ]);
    expect(c.totals(0).gpuMilliUp).toBe(4000);
    c.setUp(0, false);
    expect(c.totals(0).gpuMilliUp).toBe(0);
    c.setPresent(1, true);
    expect(c.totals(0).gpuMilliUp).toBe(2000);
    c.setUp(0, true);
    c.setPresent(1, false);
    expect([c.totals(0).gpuMilliUp, c.totals(-1).gpuMilliUp]).toEqual([4000, 4000]);
  });

  it("reserved nodes bill per started hour, elastic ones per second after the first minute", () => {
    expect(nodeCost({ perNodeHour: 2, elastic: false }, 3601)).toBe(4);
    expect(nodeCost({ perNodeHour: 3.6, elastic: true }, 100)).toBeCloseTo(0.1, 12);
    expect(nodeCost({ perNodeHour: 3.6, elastic: true }, 10)).toBeCloseTo(0.06, 12);
  });
});

describe("failure process on the simulation clock", () => {
  it("keeps each node up MTBF / (MTBF + MTTR) of the time", async () => {
    const { Simulation } = await import("@clustersim/sim-core");
    const { FailureProcess } = await import("@clustersim/hardware-models");
    const sim = new Simulation({ seed: 3 });
    const nodes = 50;
    const downSince = new Float64Array(nodes);
    let downTime = 0;
    const fp = new FailureProcess(sim, nodes, {
      onDown: (n) => (downSince[n] = sim.now),
      onUp: (n) => (downTime += sim.now - downSince[n]),
    });
    fp.startNodeFailures({ mtbfS: 900, mttrS: 100, distribution: "exponential" }, sim.rng("failures"));
    const horizon = 2_000_000;
    sim.run({ until: horizon });
    for (let n = 0; n < nodes; n++) if (fp.isDown(n)) downTime += horizon - downSince[n];
    expect(downTime / (nodes * horizon)).toBeCloseTo(0.1, 2);
    expect(fp.failures).toBeGreaterThan(90_000);
  });

  it("takes a whole rack down and back, and a node failed inside it stays down until its own repair", async () => {
    const { Simulation } = await import("@clustersim/sim-core");
    const { FailureProcess } = await import("@clustersim/hardware-models");
    const sim = new Simulation();
    const log: string[] = [];
    const fp = new FailureProcess(
      sim,
      4,
      { onDown: (n) => log.push(`down ${n} @${sim.now}`), onUp: (n) => log.push(`up ${n} @${sim.now}`) },
      [
        { kind: "rack", nodes: [0, 1] },
        { kind: "cxl-pool", nodes: [1, 2] },
      ],
    );
    fp.scheduleOutage({ domain: 0, atS: 10, repairS: 5 });
    fp.scheduleOutage({ domain: 1, atS: 12, repairS: 10 });
    sim.run();
    expect(log).toEqual(["down 0 @10", "down 1 @10", "down 2 @12", "up 0 @15", "up 1 @22", "up 2 @22"]);
    expect(() => fp.scheduleOutage({ domain: 5, atS: 1, repairS: 1 })).toThrow(/domain index in 0..1, found 5/);
  });
});

describe("keep-alive policies", () => {
  it("a fixed keep-alive warms invocations closer than it and no others", async () => {
    const { FixedKeepAlive, WarmInstances } = await import("@clustersim/hardware-models");
    const azure = new WarmInstances(new FixedKeepAlive(20 * 60)); // Azure's 20 minutes
    const every5min = Array.from({ length: 10 }, (_, i) => azure.invoke("a", i * 300, 1));
    expect(every5min).toEqual([false, true, true, true, true, true, true, true, true, true]);
    const hourly = new WarmInstances(new FixedKeepAlive(20 * 60));
    expect(Array.from({ length: 5 }, (_, i) => hourly.invoke("b", i * 3600, 1)).filter(Boolean)).toHaveLength(0);
    expect(hourly.idleLoadedS).toBeCloseTo(4 * 1200, 6); // each gap keeps the instance 20 min for nothing
  });

  it("the hybrid histogram pre-warms an hourly app before its next call and holds far less memory than a 4-hour keep-alive", async () => {
    const { FixedKeepAlive, HybridHistogramKeepAlive, WarmInstances } = await import("@clustersim/hardware-models");
    const calls = Array.from({ length: 48 }, (_, i) => i * 3600 + (i % 3) * 20); // hourly, a little jitter
    const hybrid = new WarmInstances(new HybridHistogramKeepAlive());
    const warm = calls.map((t) => hybrid.invoke("report", t, 2));
    // Until the histogram is representative it keeps instances 4 hours; once it is, it unloads and
    // pre-warms just before the next call: every call after the first is warm either way.
    expect(warm.slice(1).every(Boolean)).toBe(true);
    const fixed4h = new WarmInstances(new FixedKeepAlive(4 * 3600));
    calls.forEach((t) => fixed4h.invoke("report", t, 2));
    expect(hybrid.idleLoadedS).toBeLessThan(0.3 * fixed4h.idleLoadedS);
    const policy = hybrid.policy as InstanceType<typeof HybridHistogramKeepAlive>;
    expect(policy.representative("report")).toBe(true);
    const w = policy.window("report");
    expect(w.prewarmS).toBeGreaterThan(50 * 60);
    expect(w.prewarmS + w.keepAliveS).toBeLessThan(70 * 60);
  });

  it("falls back to keeping instances for the whole range while idle times are spread out", async () => {
    const { HybridHistogramKeepAlive } = await import("@clustersim/hardware-models");
    const p = new HybridHistogramKeepAlive();
    const r = rng("idle");
    for (let i = 0; i < 500; i++) p.observeIdle("noisy", r.uniform(0, 4 * 3600));
    expect(p.representative("noisy")).toBe(false);
    expect(p.window("noisy")).toEqual({ prewarmS: 0, keepAliveS: 4 * 3600 });
    for (let i = 0; i < 100; i++) p.observeIdle("rare", 10 * 3600);
    expect(p.window("rare")).toEqual({ prewarmS: 0, keepAliveS: 4 * 3600 }); // beyond the range: ARIMA in the paper
  });
});
