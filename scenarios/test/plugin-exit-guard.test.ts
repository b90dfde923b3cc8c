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
});
