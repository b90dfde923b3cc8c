import { ReplayIndex } from "../model/replay-index.js";
import { latencyColour } from "./latency-colour.js";
import { clear, clock, el } from "./text.js";

/** A run's figures at the time shown, as the charts sample them. */
export interface NowInputs {
  name: string;
  index: ReplayIndex;
  /** Tasks waiting, sampled over the run (the allocation series' times and counts). */
  waiting: { t: number[]; count: number[] };
}

/**
 * The figures a reader watches at the current instant, one row per run: the clock; per entry service
 * (one no other service calls) its request rate and latency percentile against its objective (coloured
 * as the call graph is); replicas on nodes and on serverless containers; tasks waiting; the bill so far
 * and its serverless part. Each value from the last sample at or before the time shown.
 */
export function renderNow(root: HTMLElement, runs: readonly NowInputs[], t: number): void {
  clear(root);
  for (const r of runs) {
    const row = el("div", undefined, "now-row");
    row.dataset.run = r.name;
    const add = (field: string, label: string, value: string, colour?: string) => {
      const cell = el("span", undefined, "now-cell");
      cell.append(el("small", label));
      const v = el("b", value);
      v.dataset.field = field;
      if (colour) v.style.color = colour;
      cell.append(v);
      row.append(cell);
    };
    if (runs.length > 1) row.append(el("strong", r.name));
    add("clock", "time", clock(t, r.index.header.clockStartS));
    let onNodes = 0;
    let onServerless = 0;
    let anyServerless = false;
    for (const i of r.index.entryServices()) {
      const s = r.index.services[i];
      const p = ReplayIndex.latest(s.points, t);
      add(`rate-${s.name}`, `${s.name} requests/s`, p ? Math.round(p.ratePerS).toLocaleString("en") : "–");
      const q = p?.quantileS ?? Number.NaN;
      const label = `${s.name} p${Math.round(s.quantile * 100)} (objective ${s.targetS} s)`;
      add(`latency-${s.name}`, label, Number.isFinite(q) ? `${q.toFixed(3)} s` : "–", latencyColour(q, s.targetS));
    }
    for (const s of r.index.services) {
      const p = ReplayIndex.latest(s.points, t);
      if (!p) continue;
      const off = Number.isFinite(p.onServerless) ? p.onServerless : 0;
      if (Number.isFinite(p.onServerless)) anyServerless = true;
      onNodes += p.replicas - off;
      onServerless += off;
    }
    if (r.index.services.length > 0) {
      add("replicas-nodes", "replicas on nodes", String(onNodes));
      if (anyServerless) add("replicas-serverless", "on serverless", String(onServerless));
    }
    const k = latestIndex(r.waiting.t, t);
    add("waiting", "tasks waiting", k >= 0 ? String(r.waiting.count[k]) : "–");
    const total = ReplayIndex.latest(r.index.totals, t);
    if (total) {
      add("cost", "cost so far", total.cost.toFixed(2));
      if (Number.isFinite(total.serverlessCost))
        add("cost-serverless", "of it serverless", total.serverlessCost.toFixed(2));
    }
    root.append(row);
  }
}

/** The index of the last of the ascending times at or before t (−1: none). */
function latestIndex(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
