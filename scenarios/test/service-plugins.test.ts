import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenarioFile, PluginFailure, runScenario, SpecError } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;

/** Copies of example files in a folder of their own, outside the checkout (no node_modules in sight). */
function outside(files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "clustersim-service-plugins-"));
  for (const f of files) copyFileSync(`${EXAMPLES}${f}`, join(dir, f.split("/").pop()!));
  return dir;
}

type Summary = Record<string, unknown> & {
  services: Record<string, Record<string, number>>;
  serviceWindows: Record<string, Record<string, Record<string, number>>>;
};
const summaryOf = async (file: string, set: string[] = []) =>
  (await runScenario(loadScenarioFile(file, set), file)).summary as Summary;

describe("a scheduled pre-scaler through the service API (examples/controllers/pre-scaler.ts)", () => {
  it("from outside the checkout: replicas ready for the sale, ahead of the HPA alone", async () => {
    const dir = outside(["controllers/pre-scaler.ts", "controllers/pre-scaler.yaml"]);
    const file = join(dir, "pre-scaler.yaml");
    const pre = await summaryOf(file);
    const hpa = await summaryOf(file, ["controllers=[]"]);
    const sale = (s: Summary) => s.serviceWindows.sale.shop;
    // With 60 replicas ready (720/s at 12 each) nobody waits during the sale (ρ = 720 × 0.2 / 240 =
    // 0.6 of 60 × 4 slots): a request is within the 1 s objective when its exponential service time
    // of mean 0.2 s is, 1 − e^(−1/0.2) of them.
    expect(sale(pre).sloAttainment).toBeCloseTo(1 - Math.exp(-5), 3);
    expect(sale(pre).requestsDropped).toBe(0);
    // The HPA alone reacts once the sale has begun: late and dropped requests, minutes broken.
    expect(sale(hpa).sloAttainment).toBeLessThan(sale(pre).sloAttainment - 0.1);
    expect(sale(hpa).requestsDropped).toBeGreaterThan(0);
    expect(sale(hpa).sloViolationMinutes).toBeGreaterThan(0);
    expect(sale(pre).sloViolationMinutes).toBe(0);
    // Both see the same traffic.
    expect(sale(pre).requests).toBe(sale(hpa).requests);
  });

  it("names the service it cannot find, and the ones there are", async () => {
    const dir = outside(["controllers/pre-scaler.ts", "controllers/pre-scaler.yaml"]);
    const file = join(dir, "pre-scaler.yaml");
    await expect(runScenario(loadScenarioFile(file, ["controllers.0.params.service=cart"]), file)).rejects.toThrow(
      /plug-in controller "pre-scaler" \(pre-scaler\.ts\): start\(\) threw at simulated time 0 s: no service "cart" in this run \(services: shop\)/,
    );
  });
});

describe("an autoscaler plug-in on a service (examples/services/objective-scaler.ts)", () => {
  it("from outside the checkout: grows through the surge and shrinks after it", async () => {
    const dir = outside(["services/objective-scaler.ts", "services/objective-scaler.yaml"]);
    const file = join(dir, "objective-scaler.yaml");
    const api = (await summaryOf(file)).services.api;
    // 100/s at first, 400/s at the surge's top: a replica serves at most 40/s, so at least 10 are needed.
    expect(api.replicasMax).toBeGreaterThanOrEqual(10);
    expect(api.replicasAtEnd).toBeLessThan(api.replicasMax);
    expect(api.sloAttainment).toBeGreaterThan(0.9);
  });

  it("against the HPA on requests served: fewer replica-hours, many more scale events (it oscillates)", async () => {
    const mine = (await summaryOf(`${EXAMPLES}services/objective-scaler.yaml`)).services.api;
    const hpa = (await summaryOf(`${EXAMPLES}services/objective-hpa.yaml`)).services.api;
    expect(mine.replicaHours).toBeLessThan(0.8 * hpa.replicaHours);
    expect(mine.scaleUps).toBeGreaterThan(5 * hpa.scaleUps);
    expect(Math.abs(mine.sloAttainment - hpa.sloAttainment)).toBeLessThan(0.02);
  });

  it("stops the run naming the plug-in, the service and the time when it throws or answers wrongly", async () => {
    const file = `${EXAMPLES}services/objective-scaler.yaml`;
    const dir = mkdtempSync(join(tmpdir(), "clustersim-bad-autoscaler-"));
    const cases: [string, RegExp][] = [
      [
        "if (now >= 60) throw new Error('boom'); return 4;",
        /plug-in autoscaler "bad" \(.*\): desired\(\) for service api threw at simulated time 60 s: boom/,
      ],
      ["return 2.5;", /desired\(\) for service api returned 2\.5 at simulated time 15 s: expected a whole number/],
      ["return Promise.resolve(3);", /returned a promise at simulated time 15 s/],
      ["return -1;", /returned -1 at simulated time 15 s/],
      ["s.scaleTo(1.5); return 3;", /threw at simulated time 15 s: service api: expected a whole number of replicas/],
    ];
    for (const [i, [body, message]] of cases.entries()) {
      const plugin = join(dir, `bad${i}.mjs`);
      writeFileSync(
        plugin,
        `export const autoscaler = { name: "bad", create() { return { desired(s, now) { ${body} } }; } };\n`,
      );
      const spec = loadScenarioFile(file, [
        `services.0.autoscaler={ plugin: ${JSON.stringify(plugin)} }`,
        "duration=5m",
      ]);
      await expect(runScenario(spec, file)).rejects.toThrow(PluginFailure);
      await expect(runScenario(spec, file)).rejects.toThrow(message);
    }
  });

  it("refuses a file without the export, and parameters its schema refuses, at their fields", async () => {
    const file = `${EXAMPLES}services/objective-scaler.yaml`;
    const dir = mkdtempSync(join(tmpdir(), "clustersim-no-autoscaler-"));
    const plugin = join(dir, "none.mjs");
    writeFileSync(plugin, "export const controller = {};\n");
    const none = loadScenarioFile(file, [`services.0.autoscaler={ plugin: ${JSON.stringify(plugin)} }`]);
    await expect(runScenario(none, file)).rejects.toThrow(SpecError);
    await expect(runScenario(none, file)).rejects.toThrow(
      /services\[0\]\.autoscaler\.plugin: expected .*none\.mjs to export `autoscaler` with a name and a create\(params\) function/,
    );
    const wrong = loadScenarioFile(file, ["services.0.autoscaler.params.step=0.5"]);
    await expect(runScenario(wrong, file)).rejects.toThrow(/services\[0\]\.autoscaler\.params\.step: /);
  });
});
