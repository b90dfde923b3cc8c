/**
 * bench/forecast: the forecasters of the predictive HPA (engine/src/forecast/) against seasonal naive,
 * fitted online as a run would, on
 *   - azure-functions: the busiest functions of the Azure Functions 2019 sample, per minute; the
 *     stored trace holds one day, so the season is an hour and the last 4 hours are held out;
 *   - double11-nightly / double11-once: a week of the Double-11 gateway's requests per minute (its
 *     curve from examples/double11/double11.yaml on a daily cycle, bench/src/forecast/series.ts), the
 *     surge every night or only the night before the held-out last day; season a day.
 * Rows: MAPE (zero actuals skipped, counted), RMSE, MASE (scaled by seasonal naive's in-sample MAE),
 * relMae (MAE over seasonal naive's on the same points and horizon), and the wall time in observe
 * (the fitting) and in forecast per series. The default runs 8 functions, a subsample: --functions N.
 *
 * Usage: npm run -s bench:forecast -- [--json] [--functions N] [--horizons 1,15] [--days 7]
 *          [--forecasters a,b] [--azure DIR] [--azure-season 60] [--azure-holdout 240]
 */
import { join } from "node:path";
import { createForecaster, FORECASTERS, type ForecasterName } from "@clustersim/engine";
import { benchArgs } from "../lib/args.js";
import { table } from "../lib/format.js";
import { runSeries } from "./score.js";
import { azureSeries, double11Series, type Series } from "./series.js";

const ROOT = new URL("../../../", import.meta.url).pathname;
const { values } = benchArgs("forecast", {
  options: {
    json: { type: "boolean", default: false },
    functions: { type: "string", default: "8" },
    horizons: { type: "string", default: "1,15" },
    days: { type: "string", default: "7" },
    forecasters: { type: "string", default: FORECASTERS.join(",") },
    azure: { type: "string", default: join(ROOT, "../shared/traces/azure-functions-2019/sample-1000") },
    "azure-season": { type: "string", default: "60" },
    "azure-holdout": { type: "string", default: "240" },
  },
});

function positiveInt(field: string, text: string): number {
  const v = Number(text);
  if (!(Number.isInteger(v) && v >= 1)) throw new Error(`--${field}: expected a whole number ≥ 1, found ${text}`);
  return v;
}

const horizons = values.horizons.split(",").map((h) => positiveInt("horizons", h));
const asked = values.forecasters.split(",") as ForecasterName[];
for (const n of asked) {
  if (!FORECASTERS.includes(n)) throw new Error(`--forecasters: ${n} is not one of ${FORECASTERS.join(", ")}`);
}
// Seasonal naive always, and first: the others' relMae is against it.
const names: ForecasterName[] = ["seasonal-naive", ...asked.filter((n) => n !== "seasonal-naive")];

const series: Series[] = [
  ...(await azureSeries(
    values.azure,
    positiveInt("functions", values.functions),
    positiveInt("azure-season", values["azure-season"]),
    positiveInt("azure-holdout", values["azure-holdout"]),
  )),
  double11Series(join(ROOT, "examples/double11/double11.yaml"), positiveInt("days", values.days), true),
  double11Series(join(ROOT, "examples/double11/double11.yaml"), positiveInt("days", values.days), false),
];

interface Row {
  dataset: string;
  series: string;
  forecaster: string;
  horizon: number;
  mape: number;
  zeroActuals: number;
  rmse: number;
  mase: number;
  relMae: number;
  missing: number;
  fitMs: number;
  forecastMs: number;
}

const rows: Row[] = [];
for (const s of series) {
  const naive = new Map<number, number>();
  for (const forecaster of names) {
    const run = runSeries(createForecaster({ forecaster }, s.season), s.values, s.holdout, horizons, s.season);
    for (const sc of run.scores) {
      if (forecaster === "seasonal-naive") naive.set(sc.horizon, sc.mae);
      rows.push({
        dataset: s.dataset,
        series: s.name,
        forecaster,
        horizon: sc.horizon,
        mape: sc.mape,
        zeroActuals: sc.zeroActuals,
        rmse: sc.rmse,
        mase: sc.mase,
        relMae: sc.mae / naive.get(sc.horizon)!,
        missing: sc.missing,
        fitMs: run.fitMs,
        forecastMs: run.forecastMs,
      });
    }
  }
}

const round = (x: number, d: number) => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);
if (values.json) {
  const out = rows.map((r) => ({
    ...r,
    mape: round(r.mape, 4),
    rmse: round(r.rmse, 2),
    mase: round(r.mase, 3),
    relMae: round(r.relMae, 3),
    fitMs: round(r.fitMs, 1),
    forecastMs: round(r.forecastMs, 1),
  }));
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else {
  // The table: each dataset's series averaged (arithmetic means; fit time per series).
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const key = `${r.dataset}\t${r.forecaster}\t${r.horizon}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const mean = (rs: Row[], f: (r: Row) => number) => rs.reduce((a, r) => a + f(r), 0) / rs.length;
  console.log(
    `forecast: held-out accuracy and fitting time, series averaged per dataset (horizons ${horizons.join(", ")} intervals)`,
  );
  console.log(
    table(
      ["", "dataset", "forecaster", "h", "series", "MAPE %", "RMSE", "MASE", "MAE/naive", "fit ms/series"],
      [...groups.entries()].map(([key, rs]) => {
        const [dataset, forecaster, h] = key.split("\t");
        return [
          "",
          dataset!,
          forecaster!,
          h!,
          String(rs.length),
          (100 * mean(rs, (r) => r.mape)).toFixed(1),
          mean(rs, (r) => r.rmse).toFixed(1),
          mean(rs, (r) => r.mase).toFixed(3),
          mean(rs, (r) => r.relMae).toFixed(3),
          mean(rs, (r) => r.fitMs).toFixed(0),
        ];
      }),
    ),
  );
}
