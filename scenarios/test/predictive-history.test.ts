/**
 * A predictive HPA's history read from an earlier run's services.csv (examples/services/recurring-peak.yaml):
 * what the earlier run wrote is what the forecaster learns before t = 0.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SERVICE_CSV_HEADER } from "@clustersim/engine";
import { loadScenarioFile, runScenario } from "@clustersim/scenarios";
import { describe, expect, it } from "vitest";

const FILE = new URL("../../examples/services/recurring-peak.yaml", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "clustersim-predictive-history-"));

/** One hour of the example, its services.csv rows (header first) and summary. */
async function hour(sets: string[] = []) {
  const rows = [SERVICE_CSV_HEADER];
  const replay: unknown[][] = [];
  const spec = loadScenarioFile(FILE, ["duration=1h", "outputs.replay=true", ...sets]);
  const { summary } = await runScenario(spec, FILE, {
    onServiceRow: (l) => rows.push(l),
    onReplayLine: (l) => {
      if (l.startsWith("[")) replay.push(JSON.parse(l));
    },
  });
  return { rows, replay, web: (summary as { services: Record<string, Record<string, number>> }).services.web };
}

const seasonal = (history?: string) =>
  `services.0.autoscaler.predictive={forecaster: seasonal-naive, season: 1h${history ? `, history: {path: ${history}}` : ""}}`;

describe("a predictive HPA that starts with last hour's services.csv", () => {
  it("meets the first hour's peak, which it cannot forecast without; its forecasts are in services.csv", async () => {
    const past = join(dir, "past.csv");
    writeFileSync(past, `${(await hour()).rows.join("\n")}\n`);
    const cold = await hour([seasonal()]);
    const warm = await hour([seasonal(past)]);
    // The peak (600 requests/s at 10 per replica) is met ahead only with the history.
    expect(cold.web.sloAttainment).toBeLessThan(0.9);
    expect(warm.web.sloAttainment).toBeGreaterThan(0.99);
    // The past hour was the same curve: each minute forecast at its mean rate. What came is drawn (every
    // request simulated): a minute of Poisson arrivals at 100/s is off its mean by 1.0% on average
    // (√6000 / 6000 × √(2/π)), at 600/s by 0.4%; weighted by requests, about 0.7%.
    expect(warm.web.forecastError).toBeGreaterThan(0.004);
    expect(warm.web.forecastError).toBeLessThan(0.01);
    // services.csv: the forecast beside the rate that came, empty while there is nothing to forecast from.
    const column = (rows: string[], name: string) => {
      const at = rows[0].split(",").indexOf(name);
      return rows.slice(1).map((r) => r.split(",")[at]);
    };
    const rate = column(warm.rows, "ratePerS");
    const forecast = column(warm.rows, "forecastPerS");
    expect(forecast.slice(1)).toEqual(rate.slice(1)); // minute by minute, 100 or 600
    expect(new Set(forecast.slice(1))).toEqual(new Set(["100", "600"]));
    expect(column(cold.rows, "forecastPerS")[10]).toBe("");
    // The replay carries the same forecasts (w lines) for the viewer, at the same samples.
    const w = warm.replay.filter((e) => e[1] === "w");
    expect(w.map((e) => String(e[3]))).toEqual(forecast.slice(1));
    expect(w.map((e) => e[0])).toEqual(column(warm.rows, "timeS").slice(1).map(Number));
    expect(column((await hour()).rows, "forecastPerS").every((x) => x === "")).toBe(true);
  });

  it("refuses a history that is not whole seasons, and one of a service it does not hold", async () => {
    const part = join(dir, "part.csv");
    writeFileSync(part, `${(await hour(["duration=30m"])).rows.join("\n")}\n`);
    await expect(hour([seasonal(part)])).rejects.toThrow(
      /services\[0\]\.autoscaler\.predictive\.history: expected whole seasons of 60 intervals \(3600 s\), found 30 intervals/,
    );
    const other = join(dir, "other.csv");
    writeFileSync(other, `${SERVICE_CSV_HEADER}\n60,api,1\n`);
    await expect(hour([seasonal(other)])).rejects.toThrow(
      /expected rows of service "web" after t = 0, found rows of api only/,
    );
  });
});
