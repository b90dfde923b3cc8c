import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenarioFile, runScenario, SpecError } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

/**
 * One node of 8 cores (100 W idle, 400 W at full CPU, 2 per node-hour) with a DPU, one task of 4 cores
 * and 100 Gbps from the start, for an hour. With a DPU the node draws 100 + 300 × 4/8 = 250 W, and a
 * 400 Gbps DPU carries 100/400 = 0.25 of its line rate.
 */
function scenario(dpu: string | undefined, price = "{ perNodeHour: 2 }"): string {
  const file = join(mkdtempSync(join(tmpdir(), "clustersim-dpu-power-")), "s.yaml");
  writeFileSync(
    file,
    [
      "duration: 1h",
      "cluster:",
      `  nodeGroups: [{ name: n, count: 1, cpu: "8", memory: 32Gi, nicGbps: 400, power: { idleW: 100, peakW: 400 }${
        price ? `, price: ${price}` : ""
      }${dpu ? `, dpu: ${dpu}` : ""} }]`,
      "workloads:",
      "  - type: poisson",
      "    ratePerS: 1",
      '    task: { run: 2h, cpu: "4", memory: 1Gi, nicGbps: 100 }',
      "    transforms: [{ type: window, count: 1, rebase: true }]",
      "scheduler: { name: best-fit }",
    ].join("\n"),
  );
  return file;
}

type Summary = { energyKWh: number; cost: number; assumptions: string[] };
const run = async (file: string) => (await runScenario(loadScenarioFile(file), file)).summary as unknown as Summary;

function problems(file: string): string {
  try {
    loadScenarioFile(file);
  } catch (err) {
    expect(err).toBeInstanceOf(SpecError);
    return (err as SpecError).problems.join("\n");
  }
  throw new Error("expected the scenario to be rejected");
}

describe("a DPU's power and price", () => {
  it("adds the card's watts (idle + (max − idle) × load) to energy and its hourly price to the node's", async () => {
    const own = (over: Record<string, number> = {}) => {
      const d = { idleW: 40, maxW: 120, pricePerHour: 0.5, ...over };
      return scenario(`{ model: bluefield-3, idleW: ${d.idleW}, maxW: ${d.maxW}, pricePerHour: ${d.pricePerHour} }`);
    };
    // Without a DPU the task's 100 Gbps also takes its virtio core (held at 1 core beyond 25 Gbps):
    // 100 + 300 × 5/8 = 287.5 W for an hour, 2 per hour.
    const none = await run(scenario(undefined));
    expect([none.energyKWh, none.cost]).toEqual([expect.closeTo(0.2875, 9), expect.closeTo(2, 9)]);
    // DPU 40 + (120 − 40) × 0.25 = 60 W: 310 Wh. Node and card: (2 + 0.5) × 1 h.
    const s = await run(own());
    expect(s.energyKWh).toBeCloseTo(0.31, 9);
    expect(s.cost).toBeCloseTo(2.5, 9);
    // Each knob moves the result. idleW 0: 0 + 120 × 0.25 = 30 W, 280 Wh.
    expect((await run(own({ idleW: 0 }))).energyKWh).toBeCloseTo(0.28, 9);
    // maxW 40 (= idleW): 40 W whatever the load, 290 Wh.
    expect((await run(own({ maxW: 40 }))).energyKWh).toBeCloseTo(0.29, 9);
    // pricePerHour 0: the node's 2 alone.
    expect((await run(own({ pricePerHour: 0 }))).cost).toBeCloseTo(2, 9);
    // The catalogue's BlueField-3: 50 + 100 × 0.25 = 75 W, 325 Wh; 2 + 0.07 per hour.
    const bf3 = await run(scenario("bluefield-3"));
    expect(bf3.energyKWh).toBeCloseTo(0.325, 9);
    expect(bf3.cost).toBeCloseTo(2.07, 9);
    // Its own maximum alone: idle stays a third of it, 30 + 60 × 0.25 = 45 W, 295 Wh.
    expect((await run(scenario("{ model: bluefield-3, maxW: 90 }"))).energyKWh).toBeCloseTo(0.295, 9);
    // BlueField-2 (200 Gbps, 25 W idle, 75 W max): load 0.5, 25 + 50 × 0.5 = 50 W, 300 Wh.
    expect((await run(scenario("bluefield-2"))).energyKWh).toBeCloseTo(0.3, 9);
  });

  it("names its defaults as assumptions, and no longer once the group gives its own", async () => {
    const names = async (file: string) => (await run(file)).assumptions.map((a) => a.split(":")[0]);
    expect(await names(scenario("bluefield-3"))).toEqual(["DPU power", "DPU price"]);
    expect(await names(scenario("bluefield-3", ""))).toEqual(["DPU power"]);
    expect(await names(scenario("{ model: bluefield-3, idleW: 40, maxW: 120 }"))).toEqual(["DPU price"]);
    expect(await names(scenario("{ model: bluefield-3, idleW: 40, maxW: 120, pricePerHour: 0.5 }"))).toEqual([]);
  });

  it("rejects negative figures, an idle power above the maximum, and a card's price without a node price", () => {
    expect(problems(scenario("{ model: bluefield-3, idleW: -1 }"))).toMatch(/dpu\.idleW: expected >= 0, found -1/);
    expect(problems(scenario("{ model: bluefield-3, maxW: -5 }"))).toMatch(/dpu\.maxW: expected >= 0, found -5/);
    expect(problems(scenario("{ model: bluefield-3, pricePerHour: -0.1 }"))).toMatch(
      /dpu\.pricePerHour: expected >= 0, found -0\.1/,
    );
    expect(problems(scenario("{ model: bluefield-3, idleW: 200 }"))).toMatch(
      /dpu\.idleW: expected idleW \(200 W\) at most maxW \(150 W\)/,
    );
    expect(problems(scenario("{ model: bluefield-3, pricePerHour: 0.5 }", ""))).toMatch(
      /dpu\.pricePerHour: expected a node price \(price\.perNodeHour\)/,
    );
    expect(problems(scenario("{ model: bluefield-9 }"))).toMatch(
      /dpu\.model: expected one of "bluefield-2", "bluefield-3", found "bluefield-9"/,
    );
  });
});

describe("examples/hardware dpu-off / dpu-on: the energy comparison counts the DPUs", () => {
  const HW = new URL("../../examples/hardware/", import.meta.url).pathname;
  const priced = "cluster.nodeGroups.0.price={ perNodeHour: 1 }";
  const summary = async (name: string, set: string[] = []) =>
    (await runScenario(loadScenarioFile(`${HW + name}.yaml`, [priced, ...set]), `${HW + name}.yaml`)).summary as Record<
      string,
      number
    >;

  it("adds 32 BlueField-3s' idle and traffic-driven power, and their price, to dpu-on", async () => {
    const off = await summary("dpu-off");
    const on = await summary("dpu-on");
    const bare = await summary("dpu-on", [
      "cluster.nodeGroups.0.dpu={ model: bluefield-3, idleW: 0, maxW: 0, pricePerHour: 0 }",
    ]);
    // The card's power changes nothing a scheduler sees.
    expect(bare.cpuAllocatedFraction).toBe(on.cpuAllocatedFraction);
    // Idle: 50 W × 32 cards × 6 h = 9.6 kWh. Traffic: every running service is 1 core and 5 Gbps, so
    // Σ load = (cores allocated) × 5/400, cores allocated = cpuAllocatedFraction × 2,048 on average:
    // (150 − 50) W × 2,048 × 5/400 × 6 h = 15.36 kWh × cpuAllocatedFraction.
    expect(on.energyKWh - bare.energyKWh).toBeCloseTo(9.6 + 15.36 * on.cpuAllocatedFraction, 6);
    // Price: 192 node-hours at 1 + 0.07 (the card) against 1.
    expect(on.cost).toBeCloseTo(192 * 1.07, 9);
    expect([bare.cost, off.cost]).toEqual([expect.closeTo(192, 9), expect.closeTo(192, 9)]);
    // Without the cards' own power, dpu-on drew less than dpu-off (the freed host cores); with it, more.
    expect(bare.energyKWh).toBeLessThan(off.energyKWh);
    expect(on.energyKWh).toBeGreaterThan(off.energyKWh);
  });
});
