import { dirname } from "node:path";
import { composeCluster, loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;
const HW = `${EXAMPLES}hardware/`;

async function summary(name: string, overrides: string[] = []): Promise<Record<string, number>> {
  const file = `${HW + name}.yaml`;
  return (await runScenario(loadScenarioFile(file, overrides), file)).summary as Record<string, number>;
}

describe("pods per node (kubelet maxPods, Kubernetes' NodeResourcesFit)", () => {
  it("node groups admit 110 pods by default, or their own maxPods", async () => {
    const file = `${HW}dpu-on.yaml`;
    const dflt = await composeCluster(loadScenarioFile(file), dirname(file));
    expect(dflt.state.maxPods(0)).toBe(110);
    const own = await composeCluster(loadScenarioFile(file, ["cluster.nodeGroups.0.maxPods=8"]), dirname(file));
    expect(own.state.maxPods(31)).toBe(8);
    for (let i = 0; i < 8; i++) own.state.place(0, { cpuMilli: 100, memoryMiB: 100 });
    expect(own.state.fits(0, { cpuMilli: 100, memoryMiB: 100 })).toBe(false);
  });

  it("a node group's limit holds inside a run: 32 nodes of 2 pods run at most 64 services at once", async () => {
    // dpu-on: 1,800 services of 1 core in the system on average (1 per s, 30 min each) on 32 nodes of 64
    // cores; with 2 pods per node at most 64 run and the rest wait.
    const s = await summary("dpu-on", ["cluster.nodeGroups.0.maxPods=2", "duration=1h"]);
    expect(s.cpuAllocatedPeakFraction).toBeLessThanOrEqual(64 / (32 * 64));
    expect(s.waitMeanS).toBeGreaterThan(0);
  });
});

describe("CXL pools", () => {
  it("slow pooled tasks more when the pool is slower (the configured latency no longer cancels out)", async () => {
    const at = async (ns: number) => (await summary("cxl-on", [`hardware.cxl.cxlLatencyNs=${ns}`])).cxlSlowdownMean;
    const [fast, mid, slow] = [await at(165), await at(235), await at(410)];
    expect(fast).toBeGreaterThan(0);
    expect(mid).toBeGreaterThan(1.3 * fast);
    expect(slow).toBeGreaterThan(2 * mid);
  });

  it("take the touched fraction of pooled memory as a parameter, and have no link-bandwidth knob", async () => {
    const file = `${HW}cxl-on.yaml`;
    expect(loadScenarioFile(file, ["hardware.cxl.touchedFraction=0.5"]).hardware?.cxl?.touchedFraction).toBe(0.5);
    expect(() => loadScenarioFile(file, ["hardware.cxl.touchedFraction=1.5"])).toThrow(/touchedFraction/);
    expect(() => loadScenarioFile(file, ["hardware.cxl.linkGBps=63"])).toThrow(/linkGBps/);
  });
});

describe("host networking without a DPU", () => {
  it("charges each service its own virtio cost: a 64-core node holds 50 services of 1 core and 5 Gbps, not 51", async () => {
    // By hand: 5 Gbps on the per-microVM curve is 0.8/14.5 · 5 = 0.2759 core → 276 millicores, so each
    // service takes 1276: 50 take 63,800 of 64,000, a 51st does not fit. (The curve applied to the node's
    // 255 Gbps in all would charge 5.3 cores and let 58 fit.)
    const file = `${HW}dpu-off.yaml`;
    const c = (await composeCluster(loadScenarioFile(file), dirname(file))).state;
    const service = { cpuMilli: 1000, memoryMiB: 4096, nicGbps: 5 };
    for (let i = 0; i < 50; i++) c.place(0, service);
    expect(c.infraCpuMilli(0)).toBe(50 * 276);
    expect(c.fits(0, service)).toBe(false);
  });
});

describe("sandbox runtimes", () => {
  it("keep sandboxes warm on their nodes, at the cost of the memory they hold idle; the policy is selectable", async () => {
    const d = "duration=20m";
    const none = await summary("runtime-gvisor", [d, "hardware={}"]);
    const fixed = await summary("runtime-gvisor", [d]);
    const hybrid = await summary("runtime-gvisor", [d, "hardware.warmPool={ policy: hybrid-histogram }"]);
    expect(none.coldStartRate).toBe(1); // nothing kept: every invocation starts cold
    expect(none.warmIdleMemoryGiBh).toBe(0);
    expect(fixed.coldStartRate).toBeLessThan(0.25);
    expect(fixed.warmIdleMemoryGiBh).toBeGreaterThan(0);
    // The idle instances' memory is allocated while they wait.
    expect(fixed.memoryAllocatedFraction).toBeGreaterThan(none.memoryAllocatedFraction);
    expect(hybrid.coldStarts).not.toBe(fixed.coldStarts);
    expect(hybrid.warmIdleMemoryGiBh).not.toBe(fixed.warmIdleMemoryGiBh);
    // keepAlive belongs to the fixed policy.
    expect(() =>
      loadScenarioFile(`${HW}runtime-gvisor.yaml`, ["hardware.warmPool={ policy: hybrid-histogram, keepAlive: 5m }"]),
    ).toThrow(/keepAlive is the fixed policy's/);
  });

  it("start through the container engine unless a scenario says there is none: the engine's 1.13 s is the bulk of a cold start", async () => {
    const overrides = ["duration=10m"];
    const withEngine = await summary("runtime-gvisor", overrides);
    const without = await summary("runtime-gvisor", [...overrides, "hardware.containerEngine={ start: 0 }"]);
    // (Which starts are cold differs a little: slower starts keep instances busy longer.)
    // The mean over starts (warm ones take 0) over the share of them that were cold: a cold start's mean.
    const cold = (s: Record<string, number>) => s.startLatencyMeanS / s.coldStartRate;
    // gVisor's sandbox alone: ~50 ms (log-normal, σ 0.3: mean 50·e^0.045 ms); with the engine, ~1.13 s more.
    expect(cold(without)).toBeGreaterThan(0.04);
    expect(cold(without)).toBeLessThan(0.065);
    expect(cold(withEngine) - cold(without)).toBeGreaterThan(1.08);
    expect(cold(withEngine) - cold(without)).toBeLessThan(1.2);
  });

  it("charge each system call at the workload's rate: gVisor-ptrace's 38 µs against runc's 1.9 µs", async () => {
    // No cold start cost, no warm instances: the stretch is the run-time factor alone.
    const base = [
      "duration=10m",
      "hardware.containerEngine={ start: 0 }",
      "hardware.runtimes={ gvisor: { startMedian: 0.000001 } }",
    ];
    const compute = await summary("runtime-gvisor", base);
    const io = await summary("runtime-gvisor", [...base, "workloads.0.syscalls=20000"]);
    // 20,000 calls per CPU-second × (38 − 1.9) µs = 0.722 more seconds per second: a factor of 1.722.
    expect(io.runTimeStretchMean / compute.runTimeStretchMean).toBeCloseTo(1.722, 2);
    // The knob: on gVisor's KVM platform (0.76 µs) the same calls cost less than runc's.
    const kvm = await summary("runtime-gvisor", [
      ...base,
      "workloads.0.syscalls=20000",
      "hardware.runtimes={ gvisor: { startMedian: 0.000001, syscallUs: 0.76 } }",
    ]);
    expect(kvm.runTimeStretchMean).toBeLessThan(compute.runTimeStretchMean);
  });
});
