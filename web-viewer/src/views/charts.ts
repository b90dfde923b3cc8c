import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { ReplayIndex } from "../model/replay-index.js";
import { clear, clock, el, midnights } from "./text.js";

/** The cluster's allocated CPU share at `points` evenly spaced times over the run (serverless apart). */
export function allocationSeries(
  index: ReplayIndex,
  points = 300,
): { t: number[]; share: number[]; waiting: number[]; serverlessCores: number[] } {
  const end = index.durationS > 0 ? index.durationS : index.count > 0 ? index.time[index.count - 1] : 0;
  return index.cpuShareSeries(end, points);
}

/** One chart on the page: its title and its plot. */
export interface Chart {
  title: string;
  plot: uPlot;
}

/** Room for an axis's widest tick label (a value axis's labels are never clipped). */
function axisWidth(self: uPlot, values: string[], axisIdx: number): number {
  const axis = self.axes[axisIdx];
  if (!values || values.length === 0) return 50;
  const ctx = self.ctx;
  ctx.save();
  // uPlot keeps an axis's font as [CSS font at device pixels, size] once it has drawn.
  const font = axis.font as unknown as string | [string, number] | undefined;
  if (font) ctx.font = Array.isArray(font) ? font[0] : font;
  let widest = 0;
  for (const v of values) widest = Math.max(widest, ctx.measureText(v).width);
  ctx.restore();
  // The tick, its gap and a margin beside the label, in CSS pixels (the canvas is at device pixels).
  return Math.ceil(widest / devicePixelRatio) + 24;
}

/** What every chart marks on its time axis: the run's clock, its midnights and its named windows. */
export interface TimeFrame {
  /** Seconds after midnight at t = 0 (the scenario's clock; absent: time from the run's start). */
  clockStartS?: number;
  endS: number;
  windows: readonly [string, number, number][];
}

/** Colours of the marks: a named window's shade, and the line at midnight. */
export const WINDOW_SHADE = "rgba(255, 193, 7, 0.18)";
export const MIDNIGHT_LINE = "#4e342e";

/** Shades each named window and draws a line at each midnight, under the series. */
function marks(frame: TimeFrame): (u: uPlot) => void {
  const at = midnights(frame.endS, frame.clockStartS);
  return (u) => {
    const { ctx, bbox } = u;
    ctx.save();
    for (const [, from, to] of frame.windows) {
      const x0 = u.valToPos(from, "x", true);
      const x1 = u.valToPos(to, "x", true);
      ctx.fillStyle = WINDOW_SHADE;
      ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
    }
    ctx.strokeStyle = MIDNIGHT_LINE;
    ctx.lineWidth = 2 * devicePixelRatio;
    for (const t of at) {
      const x = Math.round(u.valToPos(t, "x", true));
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
    }
    ctx.restore();
  };
}

function chart(
  root: HTMLElement,
  title: string,
  data: uPlot.AlignedData,
  series: uPlot.Series[],
  width: number,
  frame: TimeFrame,
): Chart {
  const box = el("div", undefined, "chart");
  box.dataset.title = title;
  box.append(el("h3", title));
  root.append(box);
  const start = frame.clockStartS;
  const plot = new uPlot(
    {
      width,
      height: 160,
      // Simulated seconds, on the scenario's clock (or from the run's start), not as calendar dates.
      scales: { x: { time: false } },
      series: [{ label: "time", value: (_u, v) => (v == null ? "–" : clock(v, start)) }, ...series],
      axes: [{ values: (_u, splits) => splits.map((v) => clock(v, start)) }, { size: axisWidth }],
      hooks: { drawAxes: [marks(frame)] },
    },
    data,
    box,
  );
  return { title, plot };
}

const COLOURS = ["#1565c0", "#ef6c00", "#2e7d32", "#6a1b9a"];

/**
 * Charts under the heatmaps: the cluster's CPU allocation of each run (and their difference, with two),
 * the cores its serverless containers took (where it had any: the run keeps them out of the cluster's
 * share), and each service's request rate, replicas and latency percentile against the objective, the
 * runs overlaid on one chart per service. Returns the charts, so that the timeline can move their cursors.
 */
export function renderCharts(
  root: HTMLElement,
  runs: { name: string; index: ReplayIndex }[],
  width: number,
  series = runs.map((r) => allocationSeries(r.index)),
): Chart[] {
  clear(root);
  const plots: Chart[] = [];
  // The first run's clock and windows frame every chart (compared runs are of one scenario).
  const h = runs[0].index.header;
  const frame: TimeFrame = {
    clockStartS: h.clockStartS,
    endS: series[0].t[series[0].t.length - 1] ?? 0,
    windows: h.windows ?? [],
  };
  const data: number[][] = [series[0].t, ...series.map((s) => s.share)];
  const lines: uPlot.Series[] = runs.map((r, i) => ({ label: `${r.name} CPU allocated`, stroke: COLOURS[i] }));
  if (series.length === 2) {
    data.push(series[0].share.map((x, k) => x - (series[1].share[k] ?? 0)));
    lines.push({ label: `difference (${runs[0].name} − ${runs[1].name})`, stroke: "#757575", dash: [4, 4] });
  }
  plots.push(chart(root, "cluster CPU allocated (share)", data as uPlot.AlignedData, lines, width, frame));
  const bursting = runs.map((r, i) => ({ r, i })).filter(({ r }) => (r.index.header.virtual?.length ?? 0) > 0);
  if (bursting.length > 0) {
    plots.push(
      chart(
        root,
        "serverless containers: cores allocated",
        [series[0].t, ...bursting.map(({ i }) => series[i].serverlessCores)] as uPlot.AlignedData,
        bursting.map(({ r, i }) => ({ label: `${r.name} serverless cores`, stroke: COLOURS[i] })),
        width,
        frame,
      ),
    );
  }
  plots.push(
    chart(
      root,
      "tasks waiting",
      [series[0].t, ...series.map((s) => s.waiting)] as uPlot.AlignedData,
      runs.map((r, i) => ({ label: `${r.name} waiting`, stroke: COLOURS[i] })),
      width,
      frame,
    ),
  );
  const withTotals = runs.filter((r) => r.index.totals.length > 0);
  if (withTotals.length > 0) {
    const t = withTotals[0].index.totals.map((p) => p.timeS);
    type Total = ReplayIndex["totals"][number];
    const serverless = withTotals.filter((r) => r.index.totals.some((p) => Number.isFinite(p.serverlessCost)));
    for (const [title, pick, apart] of [
      ["sandbox cold starts (so far)", (p: Total) => p.coldStarts, undefined],
      ["cost (so far)", (p: Total) => p.cost, (p: Total) => p.serverlessCost],
    ] as const) {
      // The bill's serverless part, dashed, for the runs that wrote it.
      const parts = apart ? serverless : [];
      plots.push(
        chart(
          root,
          title,
          [
            t,
            ...withTotals.map((r) => r.index.totals.map(pick)),
            ...parts.map((r) => r.index.totals.map(apart!)),
          ] as uPlot.AlignedData,
          [
            ...withTotals.map((r, i) => ({ label: r.name, stroke: COLOURS[i] })),
            ...parts.map((r) => ({
              label: `${r.name} serverless`,
              stroke: COLOURS[withTotals.indexOf(r)],
              dash: [6, 4],
            })),
          ],
          width,
          frame,
        ),
      );
    }
  }
  for (const name of serviceNames(runs)) plots.push(...serviceCharts(root, runs, name, width, frame));
  return plots;
}

/** The services' names over the runs, in order of first appearance. */
function serviceNames(runs: { index: ReplayIndex }[]): string[] {
  const names: string[] = [];
  for (const r of runs) for (const s of r.index.services) if (!names.includes(s.name)) names.push(s.name);
  return names;
}

/**
 * One service's charts, every run that has it overlaid (its lines named by run): runs sample at their
 * own times, so the rows are the union of those times, each run's values null where it has none.
 */
function serviceCharts(
  root: HTMLElement,
  runs: { name: string; index: ReplayIndex }[],
  name: string,
  width: number,
  frame: TimeFrame,
): Chart[] {
  type Service = ReplayIndex["services"][number];
  const having: { run: string; colour: number; s: Service }[] = [];
  runs.forEach((r, i) => {
    const s = r.index.services.find((x) => x.name === name);
    if (s && s.points.length > 0) having.push({ run: r.name, colour: i, s });
  });
  if (having.length === 0) return [];
  const times = [...new Set(having.flatMap((h) => h.s.points.map((p) => p.timeS)))].sort((a, b) => a - b);
  const aligned = <P extends { timeS: number }>(points: P[], pick: (p: P) => number) => {
    const at = new Map(points.map((p) => [p.timeS, pick(p)]));
    return times.map((t) => {
      const v = at.get(t);
      return v === undefined || !Number.isFinite(v) ? null : v;
    });
  };
  const column = (h: (typeof having)[number], pick: (p: Service["points"][number]) => number) =>
    aligned(h.s.points, pick);
  const label = (h: (typeof having)[number], what: string) => (runs.length > 1 ? `${h.run} ${what}` : what);
  const dashed = [6, 4];
  const bursting = having.filter((h) => h.s.points.some((p) => Number.isFinite(p.onServerless)));
  // Where a predictive HPA scaled the service: what it forecast, dashed beside the rate that came.
  const forecasting = having.filter((h) => h.s.forecasts.length > 0);
  const s0 = having[0].s;
  return [
    chart(
      root,
      `${name}: requests per second`,
      [
        times,
        ...having.map((h) => column(h, (p) => p.ratePerS)),
        ...forecasting.map((h) => aligned(h.s.forecasts, (p) => p.perS)),
      ] as uPlot.AlignedData,
      [
        ...having.map((h) => ({ label: label(h, "rate/s"), stroke: COLOURS[h.colour] })),
        ...forecasting.map((h) => ({ label: label(h, "forecast/s"), stroke: COLOURS[h.colour], dash: dashed })),
      ],
      width,
      frame,
    ),
    chart(
      root,
      `${name}: replicas`,
      [
        times,
        ...having.flatMap((h) => [column(h, (p) => p.replicas), column(h, (p) => p.ready)]),
        ...bursting.map((h) => column(h, (p) => p.onServerless)),
      ] as uPlot.AlignedData,
      [
        ...having.flatMap((h) => [
          { label: label(h, "replicas"), stroke: COLOURS[h.colour] },
          { label: label(h, "ready"), stroke: COLOURS[h.colour], dash: dashed },
        ]),
        // Where the run had serverless nodes: how many of the replicas ran there.
        ...bursting.map((h) => ({ label: label(h, "on serverless"), stroke: COLOURS[h.colour], dash: [2, 3] })),
      ],
      width,
      frame,
    ),
    chart(
      root,
      `${name}: p${Math.round(s0.quantile * 100)} latency against its objective`,
      [times, ...having.map((h) => column(h, (p) => p.quantileS)), times.map(() => s0.targetS)] as uPlot.AlignedData,
      [
        ...having.map((h) => ({ label: label(h, "latency s"), stroke: COLOURS[h.colour] })),
        { label: "objective s", stroke: "#c62828", dash: dashed },
      ],
      width,
      frame,
    ),
  ];
}
