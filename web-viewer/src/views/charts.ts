import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { ReplayIndex } from "../model/replay-index.js";
import { clear, el } from "./text.js";

/** The cluster's allocated CPU share at `points` evenly spaced times over the run. */
export function allocationSeries(
  index: ReplayIndex,
  points = 300,
): { t: number[]; share: number[]; waiting: number[] } {
  const end = index.durationS > 0 ? index.durationS : index.count > 0 ? index.time[index.count - 1] : 0;
  return index.cpuShareSeries(end, points);
}

function chart(
  root: HTMLElement,
  title: string,
  data: uPlot.AlignedData,
  series: uPlot.Series[],
  width: number,
): uPlot {
  const box = el("div", undefined, "chart");
  box.append(el("h3", title));
  root.append(box);
  return new uPlot({ width, height: 160, series: [{ label: "time s" }, ...series], axes: [{}, {}] }, data, box);
}

const COLOURS = ["#1565c0", "#ef6c00", "#2e7d32", "#6a1b9a"];

/**
 * Charts under the heatmaps: the cluster's CPU allocation of each run (and their difference, with two),
 * and each service's request rate, replicas (all and ready), and its latency percentile against the
 * objective. Returns the charts, so that the timeline can move their cursors.
 */
export function renderCharts(root: HTMLElement, runs: { name: string; index: ReplayIndex }[], width: number): uPlot[] {
  clear(root);
  const plots: uPlot[] = [];
  const series = runs.map((r) => allocationSeries(r.index));
  const data: number[][] = [series[0].t, ...series.map((s) => s.share)];
  const lines: uPlot.Series[] = runs.map((r, i) => ({ label: `${r.name} CPU allocated`, stroke: COLOURS[i] }));
  if (series.length === 2) {
    data.push(series[0].share.map((x, k) => x - (series[1].share[k] ?? 0)));
    lines.push({ label: `difference (${runs[0].name} − ${runs[1].name})`, stroke: "#757575", dash: [4, 4] });
  }
  plots.push(chart(root, "cluster CPU allocated (share)", data as uPlot.AlignedData, lines, width));
  plots.push(
    chart(
      root,
      "tasks waiting",
      [series[0].t, ...series.map((s) => s.waiting)] as uPlot.AlignedData,
      runs.map((r, i) => ({ label: `${r.name} waiting`, stroke: COLOURS[i] })),
      width,
    ),
  );
  const withTotals = runs.filter((r) => r.index.totals.length > 0);
  if (withTotals.length > 0) {
    const t = withTotals[0].index.totals.map((p) => p.timeS);
    for (const [title, pick] of [
      ["sandbox cold starts (so far)", (p: { coldStarts: number }) => p.coldStarts],
      ["cost (so far)", (p: { cost: number }) => p.cost],
    ] as const) {
      plots.push(
        chart(
          root,
          title,
          [t, ...withTotals.map((r) => r.index.totals.map(pick))] as uPlot.AlignedData,
          withTotals.map((r, i) => ({ label: r.name, stroke: COLOURS[i] })),
          width,
        ),
      );
    }
  }
  for (const r of runs) {
    for (const s of r.index.services) {
      if (s.points.length === 0) continue;
      const t = s.points.map((p) => p.timeS);
      plots.push(
        chart(
          root,
          `${r.name} · ${s.name}: requests per second`,
          [t, s.points.map((p) => p.ratePerS)],
          [{ label: "rate/s", stroke: COLOURS[0] }],
          width,
        ),
        chart(
          root,
          `${r.name} · ${s.name}: replicas`,
          [t, s.points.map((p) => p.replicas), s.points.map((p) => p.ready)],
          [
            { label: "replicas", stroke: COLOURS[1] },
            { label: "ready", stroke: COLOURS[2] },
          ],
          width,
        ),
        chart(
          root,
          `${r.name} · ${s.name}: p${Math.round(s.quantile * 100)} latency against its objective`,
          [t, s.points.map((p) => (Number.isFinite(p.quantileS) ? p.quantileS : null)), t.map(() => s.targetS)],
          [
            { label: "latency s", stroke: COLOURS[3] },
            { label: "objective s", stroke: "#c62828", dash: [6, 4] },
          ],
          width,
        ),
      );
    }
  }
  return plots;
}
