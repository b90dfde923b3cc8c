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

  it("reads ARIMA's orders and the MLP's lags, refit and window in intervals, and names a misplaced field", () => {
    const set = (p: string) => loadScenarioFile(FILE, [`services.0.autoscaler.predictive=${p}`]);
    const arima = set("{ season: 1h, forecaster: arima, order: { p: 2, d: 0, q: 1, D: 1 }, refit: 5m }");
    const a = arima.services[0].autoscaler;
    expect(a?.type === "hpa" && a.predictive).toEqual({
      forecaster: "arima",
      season: 3600,
      interval: 60,
      margin: 0.1,
      order: { p: 2, d: 0, q: 1, P: 0, D: 1, Q: 0 },
      refit: 300,
    });
    expect(() => set("{ season: 1h, forecaster: arima, order: { p: 9, d: 0, q: 0 } }")).toThrow(/predictive\.order\.p/);
    expect(() => set("{ season: 1h, forecaster: mlp, order: { p: 1, d: 0, q: 0 } }")).toThrow(
      /predictive\.order: order is ARIMA's: expected forecaster: arima/,
    );
    expect(() => set("{ season: 1h, forecaster: arima, lags: 10 }")).toThrow(/predictive\.lags: lags are the MLP's/);
    expect(() => set("{ season: 1h, forecaster: mlp, refit: 90s }")).toThrow(
      /predictive\.refit: expected a whole number of intervals/,
    );
  });
});
