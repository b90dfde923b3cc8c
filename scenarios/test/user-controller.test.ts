import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenarioFile, PluginFailure, runScenario } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const FILE = new URL("../../examples/controllers/queue-autoscale.yaml", import.meta.url).pathname;

describe("a user controller from a scenario file (examples/controllers/queue-scaler.ts)", () => {
  it("scales its node group on the queue: shorter waits than the fixed group, paid in node-hours", async () => {
    const replay: string[] = [];
    const scaled = (
      await runScenario(loadScenarioFile(FILE, ["outputs.replay=true"]), FILE, {
        onReplayLine: (l) => replay.push(l),
      })
    ).summary as Record<string, number>;
    const fixed = (await runScenario(loadScenarioFile(FILE, ["controllers=[]"]), FILE)).summary as Record<
      string,
      number
    >;
    expect(scaled.tasksSubmitted).toBe(fixed.tasksSubmitted);
    // The fixed group of 4 is overloaded by the surge; the scaled one catches up.
    expect(fixed.waitMeanS).toBeGreaterThan(5 * scaled.waitMeanS);
    // 4 nodes for 2 h is 8 node-hours; the controller added nodes, and removed them again afterwards.
    expect(fixed.nodeHours).toBeCloseTo(8, 9);
    expect(scaled.nodeHours).toBeGreaterThan(8);
    const added = replay.filter((l) => l.includes('"+"')).length;
    const removed = replay.filter((l) => l.includes('"-"')).length;
    expect(added).toBeGreaterThan(4);
    expect(removed).toBeGreaterThan(0);
  });

  it("names the file and field when the controller's parameters are wrong", async () => {
    const spec = loadScenarioFile(FILE, ["controllers.0.params.periodS=-1"]);
    await expect(runScenario(spec, FILE)).rejects.toThrow(/controllers\[0\]\.params\.periodS: /);
  });

  it("stops the run when the controller throws, naming the plug-in, where it was and the simulated time", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clustersim-thrower-"));
    const cases: [string, RegExp][] = [
      [
        "ctx.at(90, () => { throw new Error('boom'); });",
        /plug-in controller "thrower" \(.*\): a timer threw at simulated time 90 s: boom/,
      ],
      ["ctx.every(30, () => { throw null; });", /a timer threw at simulated time 30 s: null \(not an Error\)/],
      [
        "ctx.at(60, () => { throw { toString() { throw new Error('no'); } }; });",
        /a timer threw at simulated time 60 s: a value that cannot be shown \(object\)/,
      ],
      [
        "ctx.on({ start() { throw new Error('late'); } });",
        /its start listener threw at simulated time \d+(\.\d+)? s: late/,
      ],
    ];
    for (const [i, [body, message]] of cases.entries()) {
      const plugin = join(dir, `thrower${i}.mjs`);
      writeFileSync(
        plugin,
        `export const controller = { name: "thrower", create() { return { name: "thrower", start(ctx) { ${body} } }; } };\n`,
      );
      const spec = loadScenarioFile(FILE, [`controllers=[{ plugin: ${JSON.stringify(plugin)} }]`, "duration=10m"]);
      const run = runScenario(spec, FILE);
      await expect(run).rejects.toThrow(PluginFailure);
      await expect(runScenario(spec, FILE)).rejects.toThrow(message);
    }
  });
});
