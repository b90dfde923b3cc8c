import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const EXAMPLES = new URL("../../examples/", import.meta.url).pathname;

describe("plug-ins outside the checkout", () => {
  it("resolve clustersim's packages (zod, @clustersim/*) from a folder of their own, as TypeScript or ES module", async () => {
    const dir = mkdtempSync(join(tmpdir(), "clustersim-plugins-"));
    // The example strategy as plain .ts (compiled to CommonJS outside a "type": "module" package) and as
    // .mts (an ES module); the example controller beside them. None of them can see node_modules here.
    copyFileSync(`${EXAMPLES}plugins/least-loaded-node.ts`, join(dir, "lln.ts"));
    copyFileSync(`${EXAMPLES}plugins/least-loaded-node.ts`, join(dir, "lln.mts"));
    copyFileSync(`${EXAMPLES}controllers/queue-scaler.ts`, join(dir, "scaler.ts"));
    const scenario = readFileSync(`${EXAMPLES}scenarios/poisson-user-strategy.yaml`, "utf8");
    for (const plugin of ["lln.ts", "lln.mts"]) {
      const file = join(dir, `s-${plugin}.yaml`);
      writeFileSync(
        file,
        `${scenario.replace(/plugin: .*/, `plugin: ${plugin}`)}\ncontrollers: [{ plugin: scaler.ts, params: { group: cpu } }]\n`,
      );
      const { summary } = await runScenario(loadScenarioFile(file, ["duration=10m"]), file);
      expect((summary as Record<string, number>).tasksStarted).toBeGreaterThan(100);
    }
  });
});
