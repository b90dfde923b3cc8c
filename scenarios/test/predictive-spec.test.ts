import { loadScenarioFile } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const FILE = new URL("../../examples/services/recurring-peak.yaml", import.meta.url).pathname;

describe("a predictive HPA in a scenario file", () => {
  it("is read with its defaults: Holt–Winters, minutes, 10% headroom", () => {
    const spec = loadScenarioFile(FILE, ["services.0.autoscaler.predictive={ season: 1h }"]);
    const a = spec.services[0].autoscaler;
    expect(a?.type === "hpa" && a.predictive).toEqual({
      forecaster: "holt-winters",
      season: 3600,
      interval: 60,
      margin: 0.1,
    });
  });

  it("refuses a season that is not two intervals or more, and a metric it cannot scale ahead of", () => {
    expect(() => loadScenarioFile(FILE, ["services.0.autoscaler.predictive={ season: 90s }"])).toThrow(
      /services\[0\]\.autoscaler\.predictive\.season: expected a season of two intervals or more/,
    );
    expect(() =>
      loadScenarioFile(FILE, [
        "services.0.autoscaler.metric={ type: cpu, targetUtilization: 60 }",
        "services.0.autoscaler.predictive={ season: 1h }",
      ]),
    ).toThrow(/services\[0\]\.autoscaler\.predictive: expected a requests-per-second metric .*found cpu/);
  });
});
