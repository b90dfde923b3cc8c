import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const FILE = new URL("../../examples/scenarios/poisson-user-strategy.yaml", import.meta.url).pathname;

describe("the guard on process.exit while plug-ins run", () => {
  it("is in place during a run with a plug-in, and the real process.exit is back after, even for overlapping runs", async () => {
    const real = process.exit;
    const spec = () => loadScenarioFile(FILE, ["duration=10m"]);
    const a = runScenario(spec(), FILE);
    const b = runScenario(spec(), FILE);
    await Promise.all([a, b]);
    expect(process.exit).toBe(real);
  });

  it("covers the strategy's create(): a plug-in ending the process there is refused, named, and the process lives", async () => {
    const plugin = join(mkdtempSync(join(tmpdir(), "clustersim-exit-")), "quitter.mjs");
    writeFileSync(plugin, 'export const strategy = { name: "quitter", create() { process.exit(3); } };\n');
    const spec = loadScenarioFile(FILE, [
      "duration=10m",
      `scheduler={ name: quitter, plugin: ${JSON.stringify(plugin)} }`,
    ]);
    await expect(runScenario(spec, FILE)).rejects.toThrow(
      /plug-in strategy "quitter".*create\(\) threw: a plug-in called process\.exit\(3\)/,
    );
  });
});
