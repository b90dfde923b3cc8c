import { loadScenarioFile } from "@clustersim/scenarios";
import { RandomStreams } from "@clustersim/sim-core";
import { loadAzureFunctions, RateCurve, type RateSpec } from "@clustersim/workloads";

/** A per-minute series, the part of it held out, and the season its seasonal naive uses. */
export interface Series {
  dataset: string;
  name: string;
  values: Float64Array;
  holdout: number;
  season: number;
}

/**
 * The `count` busiest functions (most invocations in the day) of an Azure Functions 2019 sample, per
 * minute. The stored traces hold one day (d01) per function, so a day's season cannot be learned from
 * them: the season here is `season` minutes (an hour by default, the timers' period) and the last
 * `holdout` minutes (4 hours by default) are held out.
 */
export async function azureSeries(path: string, count: number, season: number, holdout: number): Promise<Series[]> {
  const all: { name: string; values: Float64Array; total: number }[] = [];
  for await (const f of loadAzureFunctions(path)) {
    let total = 0;
    for (const v of f.perMinute) total += v;
    all.push({ name: f.function.slice(0, 12), values: Float64Array.from(f.perMinute), total });
  }
  // Busiest first; a tie (none in the sample) by name, so that the pick is the same on every run.
  all.sort((a, b) => b.total - a.total || (a.name < b.name ? -1 : 1));
  return all
    .slice(0, count)
    .map((f) => ({ dataset: "azure-functions", name: f.name, values: f.values, holdout, season }));
}

const DAY_S = 86_400;
/** 23:00, where the Double-11 scenario's clock starts (its t = 0). */
const SURGE_START_S = 23 * 3600;

/**
 * Requests per minute at the Double-11 gateway over `days` days, drawn as Poisson counts from a rate:
 * the gateway's own curve of examples/double11/double11.yaml (its rate terms, 23:00 to 01:00, read
 * from the file) on a daily cycle. Assumptions, no published figure: the cycle, mean 1 and amplitude
 * 0.5 of the 23:00 rate, peaking at 21:00; after 01:00 the rate climbs back from the curve's last
 * factor to the cycle's over an hour. With `everyNight`, the surge comes every night (a daily
 * midnight sale, so that a seasonal model can learn it); without, only the night before the last day
 * (as the real one, once a year): the held-out day is the last.
 */
export function double11Series(scenarioFile: string, days: number, everyNight: boolean, seed = 11): Series {
  const spec = loadScenarioFile(scenarioFile);
  const gateway = spec.services.find((s) => s.name === "gateway");
  if (!gateway) throw new Error(`${scenarioFile}: no service named gateway`);
  const terms = gateway.rate;
  if (!Array.isArray(terms) || !terms.every((r) => r.type === "constant" || r.type === "piecewise")) {
    throw new Error(`${scenarioFile}: services.gateway.rate: expected constant and piecewise terms`);
  }
  // The schema's constant and piecewise terms are the curve's own (scenarios compile/workload.ts).
  const surge = new RateCurve(terms as unknown as RateSpec[]);
  const base = surge.at(0);
  const end = surge.at(7200) / base;
  const cycle = (todS: number) => 1 + 0.5 * Math.cos((2 * Math.PI * (todS - 21 * 3600)) / DAY_S);
  const rng = new RandomStreams(seed).get("double11-minutes");
  const minutes = days * 1440;
  const values = new Float64Array(minutes);
  for (let i = 0; i < minutes; i++) {
    const t = i * 60 + 30;
    const tod = t % DAY_S;
    // Seconds since the last 23:00, and whether that night has a surge.
    const since = (tod - SURGE_START_S + DAY_S) % DAY_S;
    const night = Math.floor((t - since) / DAY_S);
    const surgeNight = everyNight || night === days - 2;
    let factor = 1;
    if (surgeNight && since < 7200) factor = surge.at(since) / base;
    else if (surgeNight && since < 10_800) factor = end + (1 - end) * ((since - 7200) / 3600);
    const rate = (base * cycle(tod) * factor) / cycle(SURGE_START_S);
    values[i] = rng.poisson(rate * 60);
  }
  return {
    dataset: everyNight ? "double11-nightly" : "double11-once",
    name: "gateway",
    values,
    holdout: 1440,
    season: 1440,
  };
}
