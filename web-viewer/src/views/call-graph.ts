import { ReplayIndex } from "../model/replay-index.js";
import { LATENCY_COLOURS, latencyColour } from "./latency-colour.js";
import { clear, el } from "./text.js";

const SVG = "http://www.w3.org/2000/svg";
const BOX_W = 120;
const BOX_H = 34;
const GAP_X = 40;
const GAP_Y = 12;

/** An SVG element with attributes (names and text are set as text, never parsed). */
function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** Each service's column: its longest chain of callers (entry services in column 0). */
function depths(count: number, calls: readonly [number, number][]): number[] {
  const depth = new Array<number>(count).fill(0);
  // A call graph has no cycles (the engine refuses them); count passes bound a malformed replay's.
  for (let pass = 0; pass < count; pass++) {
    let moved = false;
    for (const [a, b] of calls) {
      if (a < 0 || b < 0 || a >= count || b >= count) continue;
      if (depth[b] < depth[a] + 1) {
        depth[b] = depth[a] + 1;
        moved = true;
      }
    }
    if (!moved) break;
  }
  return depth;
}

/**
 * The services' call graph at the time shown: callers left of their callees, each service a box
 * coloured by its latency percentile against its objective at that time (the last sample at or
 * before it), so the bottleneck of a peak shows at a glance. Nothing when the run has no services.
 */
export function renderCallGraph(root: HTMLElement, index: ReplayIndex, t: number): void {
  clear(root);
  const services = index.services;
  if (services.length === 0) return;
  root.append(el("h2", "services"));
  const calls = index.header.calls ?? [];
  const depth = depths(services.length, calls);
  const rowOf = new Array<number>(services.length);
  const rowsIn = new Map<number, number>();
  depth.forEach((d, i) => {
    rowOf[i] = rowsIn.get(d) ?? 0;
    rowsIn.set(d, rowOf[i] + 1);
  });
  const columns = Math.max(...depth) + 1;
  const rows = Math.max(...rowsIn.values());
  const width = columns * (BOX_W + GAP_X) - GAP_X + 2;
  const height = rows * (BOX_H + GAP_Y) - GAP_Y + 2;
  const root2 = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
  const x = (i: number) => 1 + depth[i] * (BOX_W + GAP_X);
  const y = (i: number) => 1 + rowOf[i] * (BOX_H + GAP_Y);
  for (const [a, b] of calls) {
    if (a < 0 || b < 0 || a >= services.length || b >= services.length) continue;
    root2.append(
      svg("line", {
        x1: x(a) + BOX_W,
        y1: y(a) + BOX_H / 2,
        x2: x(b),
        y2: y(b) + BOX_H / 2,
        stroke: "#9e9e9e",
        "data-call": `${services[a].name}→${services[b].name}`,
      }),
    );
  }
  services.forEach((s, i) => {
    const p = ReplayIndex.latest(s.points, t);
    const q = p?.quantileS ?? Number.NaN;
    const g = svg("g", { "data-service": s.name });
    const fill = latencyColour(q, s.targetS);
    g.append(svg("rect", { x: x(i), y: y(i), width: BOX_W, height: BOX_H, rx: 4, fill, stroke: "#616161" }));
    const label = svg("text", { x: x(i) + 6, y: y(i) + 14, "font-size": 12 });
    label.textContent = s.name.length > 16 ? `${s.name.slice(0, 15)}…` : s.name;
    const figure = svg("text", { x: x(i) + 6, y: y(i) + 28, "font-size": 11 });
    figure.textContent = Number.isFinite(q) ? `p${Math.round(s.quantile * 100)} ${q.toFixed(3)} s` : "no requests";
    const title = svg("title", {});
    title.textContent = `${s.name}: ${figure.textContent} against ${s.targetS} s`;
    g.append(label, figure, title);
    root2.append(g);
  });
  root.append(root2);
  const key = el("p", undefined, "hint");
  for (const [colour, text] of [
    [LATENCY_COLOURS.good, "within half the objective"],
    [LATENCY_COLOURS.near, "within it"],
    [LATENCY_COLOURS.broken, "past it"],
    [LATENCY_COLOURS.none, "no requests"],
  ]) {
    const swatch = el("span", "■ ");
    swatch.style.color = colour;
    key.append(swatch, el("span", `${text}  `));
  }
  root.append(key);
}
