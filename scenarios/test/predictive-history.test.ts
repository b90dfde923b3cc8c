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
    // The past hour: the same curve on another seed (other arrivals drawn).
    const past = join(dir, "past.csv");
    const pastRows = (await hour(["seed=2"])).rows;
    writeFileSync(past, `${pastRows.join("\n")}\n`);
    const cold = await hour([seasonal()]);
    const warm = await hour([seasonal(past)]);
    // The peak (600 requests/s at 10 per replica) is met ahead only with the history.
    expect(cold.web.sloAttainment).toBeLessThan(0.9);
    expect(warm.web.sloAttainment).toBeGreaterThan(0.99);
    // services.csv: each minute's forecast is the past hour's arrivals in that minute (seasonal naive),
    // empty while there is nothing to forecast from.
    const column = (rows: string[], name: string) => {
      const at = rows[0].split(",").indexOf(name);
      return rows.slice(1).map((r) => r.split(",")[at]);
    };
    const forecast = column(warm.rows, "forecastPerS");
    expect(forecast.slice(1)).toEqual(column(pastRows, "arrivalsPerS").slice(1));
    expect(column(cold.rows, "forecastPerS")[10]).toBe("");
    expect(column((await hour()).rows, "forecastPerS").every((x) => x === "")).toBe(true);
    // The two hours' minutes differ by Poisson noise alone: at 100 requests/s a minute's mean is off by
    // 1.0% on average (√6000 / 6000 × √(2/π)), the difference of two such by √2 times that, 1.5%; at
    // 600/s by 0.6%; weighted by requests (50 minutes at 100/s, 10 at 600/s), about 1.0%.
    expect(warm.web.forecastError).toBeGreaterThan(0.007);
    expect(warm.web.forecastError).toBeLessThan(0.013);
    // The replay carries the same forecasts (w lines) for the viewer, at the same samples.
    const w = warm.replay.filter((e) => e[1] === "w");
    expect(w.map((e) => String(e[3]))).toEqual(forecast.slice(1));
    expect(w.map((e) => e[0])).toEqual(column(warm.rows, "timeS").slice(1).map(Number));
  });

  it("refuses a history that is not whole seasons, and one of a service it does not hold, naming the field", async () => {
    const part = join(dir, "part.csv");
    writeFileSync(part, `${(await hour(["duration=30m"])).rows.join("\n")}\n`);
    await expect(hour([seasonal(part)])).rejects.toThrow(
      /services\[0\]\.autoscaler\.predictive\.history: expected whole seasons of 60 intervals \(3600 s\), found 30 intervals/,
    );
    // Rows off the service ticks (5-s ticks, rows every 7 s) write no arrivals: such a file is refused.
    const offTicks = join(dir, "off-ticks.csv");
    const rows = (await hour(["serviceTick=5", "outputs.timeseriesInterval=7"])).rows;
    expect(rows.slice(1).every((r) => r.endsWith(","))).toBe(true);
    writeFileSync(offTicks, `${rows.join("\n")}\n`);
    await expect(hour([seasonal(offTicks)])).rejects.toThrow(
      /off-ticks\.csv:3: arrivalsPerS: expected a number \(a run writes none for rows off its service ticks/,
    );
    const other = join(dir, "other.csv");
    writeFileSync(other, `${SERVICE_CSV_HEADER}\n60,api,1,1,1,0,0,,,0,0,0,,1\n`);
    await expect(hour([seasonal(other)])).rejects.toThrow(
      /services\[0\]\.autoscaler\.predictive\.history: .*other\.csv: service: expected rows of service "web", found none after t = 0 \(the file holds api\)/,
    );
  });
});
