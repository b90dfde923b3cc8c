import { fileText, MAX_REPLAY_BYTES, responseText } from "./load.js";
import { type Decision, indexDecisions } from "./model/decisions.js";
import { short } from "./model/replay-checks.js";
import { type NodeState, ReplayIndex } from "./model/replay-index.js";
import { renderCallGraph } from "./views/call-graph.js";
import { allocationSeries, type Chart, renderCharts } from "./views/charts.js";
import { renderEventLog } from "./views/event-log.js";
import { type Grouping, Heatmap, type HeatmapMode } from "./views/heatmap.js";
import { renderInspector } from "./views/inspector.js";
import { renderLegend } from "./views/legend.js";
import { type NowInputs, renderNow } from "./views/now-strip.js";
import { clear, clock, el } from "./views/text.js";
import "./style.css";

/** One run on screen: its replay, its heatmap, and its state at the current time. */
interface RunView {
  name: string;
  index: ReplayIndex;
  /** The run's placement decisions by task, when it recorded them. */
  decisions?: Map<number, Decision[]>;
  heatmap: Heatmap;
  state: NodeState;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const runsRoot = $<HTMLDivElement>("runs");
const slider = $<HTMLInputElement>("time");
const clockOut = $<HTMLOutputElement>("clock");
const playButton = $<HTMLButtonElement>("play");
const speedSelect = $<HTMLSelectElement>("speed");
const modeSelect = $<HTMLSelectElement>("mode");
const groupSelect = $<HTMLSelectElement>("group");
const inspector = $<HTMLElement>("inspector");
const log = $<HTMLOListElement>("log");
const chartsRoot = $<HTMLElement>("charts");
const nowRoot = $<HTMLElement>("now");
const graphRoot = $<HTMLElement>("callgraph");
const legendRoot = $<HTMLElement>("legend");

let runs: RunView[] = [];
let t = 0;
let end = 0;
let playing = false;
let selected: { run: number; node: number } | undefined;
let charts: Chart[] = [];
let now: NowInputs[] = [];
const shown = new Set(["s", "f", "k", "p", "r", "m", "z", "node"]);
/** The largest file opened, bytes; a test may lower it (never raise it) before the page loads. */
const maxBytes = Math.min(
  MAX_REPLAY_BYTES,
  (window as unknown as { clustersimMaxReplayBytes?: number }).clustersimMaxReplayBytes ?? MAX_REPLAY_BYTES,
);

/** What the page shows now, for tests and for the curious (read only). */
const viewer = {
  get timeS() {
    return t;
  },
  get runs() {
    return runs.map((r) => ({ name: r.name, nodes: r.index.nodeCount, events: r.index.count }));
  },
  /** The centre of a node's cell in its run's canvas, in canvas pixels. */
  cellCentre: (run: number, node: number) => runs[run].heatmap.cellCentre(node),
  seek: (s: number) => seek(s),
  get playing() {
    return playing;
  },
  /** Where time `s` falls on a chart's canvas (device pixels), 37% down its plot area (off the grid). */
  chartPoint(title: string, s: number): [number, number] | undefined {
    const c = charts.find((x) => x.title === title);
    if (!c) return undefined;
    const { bbox } = c.plot;
    return [c.plot.valToPos(s, "x", true), bbox.top + bbox.height * 0.37];
  },
  /** Each chart: its title, its lines' labels, and its data (the times first). */
  get charts() {
    return charts.map(({ title, plot }) => ({
      title,
      labels: plot.series.slice(1).map((x) => String(x.label)),
      data: plot.data.map((column) => [...column]),
    }));
  },
  ready: false,
};
(window as unknown as { viewer: typeof viewer }).viewer = viewer;

function seek(s: number): void {
  t = Math.min(Math.max(0, s), end);
  slider.value = String(t);
  draw();
}

function draw(): void {
  const mode = modeSelect.value as HeatmapMode;
  for (const r of runs) {
    r.index.stateAt(t, r.state);
    r.heatmap.draw(r.state, mode);
  }
  clockOut.textContent = clock(t, runs[0]?.index.header.clockStartS);
  if (selected) {
    const r = runs[selected.run];
    renderInspector(inspector, r.name, r.index, selected.node, r.state, t, r.decisions);
  }
  if (runs.length > 0) renderEventLog(log, runs[0].index, t, shown);
  renderNow(nowRoot, now, t);
  // The call graph of the first run (a comparison is of one scenario: the same graph).
  if (runs.length > 0) renderCallGraph(graphRoot, runs[0].index, t);
  for (const { plot } of charts) plot.setCursor({ left: plot.valToPos(t, "x"), top: 10 });
}

/** Show the runs; when one cannot be shown, the page is left empty (never half drawn) and this throws. */
function show(loaded: { name: string; text: string; decisions?: string }[]): void {
  try {
    showRuns(loaded);
  } catch (err) {
    runs = [];
    charts = [];
    now = [];
    selected = undefined;
    end = 0;
    for (const root of [runsRoot, chartsRoot, nowRoot, graphRoot, log]) clear(root);
    throw err;
  }
}

function showRuns(loaded: { name: string; text: string; decisions?: string }[]): void {
  clear(runsRoot);
  runs = [];
  selected = undefined;
  const width = Math.min(900, Math.floor((window.innerWidth - 380) / loaded.length));
  loaded.forEach(({ name: fullName, text, decisions }, k) => {
    // A run's name comes from a URL, a file name or runs.json: cut as every name from a run is.
    const name = short(fullName);
    const index = ReplayIndex.parse(text);
    const panel = el("section", undefined, "run");
    panel.append(el("h2", name));
    panel.append(
      el(
        "p",
        `${index.header.scenario} · ${index.header.scheduler} · seed ${index.header.seed} · ${index.nodeCount} nodes`,
        "meta",
      ),
    );
    const canvas = el("canvas");
    canvas.dataset.run = String(k);
    panel.append(canvas);
    runsRoot.append(panel);
    const heatmap = new Heatmap(canvas, index, width, groupSelect.value as Grouping);
    canvas.addEventListener("click", (ev) => {
      const node = runs[k].heatmap.nodeAt(ev.offsetX, ev.offsetY);
      if (node >= 0) {
        selected = { run: k, node };
        draw();
      }
    });
    runs.push({
      name,
      index,
      heatmap,
      state: index.emptyState(),
      decisions: decisions === undefined ? undefined : indexDecisions(decisions),
    });
  });
  end = Math.max(
    ...runs.map((r) => (r.index.durationS > 0 ? r.index.durationS : (r.index.time[r.index.count - 1] ?? 0))),
  );
  slider.max = String(end);
  $<HTMLSpanElement>("title").textContent = runs.map((r) => r.name).join(" vs ");
  const series = runs.map((r) => allocationSeries(r.index));
  now = runs.map((r, k) => ({ name: r.name, index: r.index, waiting: { t: series[k].t, count: series[k].waiting } }));
  charts = renderCharts(chartsRoot, runs, Math.min(900, window.innerWidth - 40), series);
  renderLegend(legendRoot, modeSelect.value);
  seek(0);
  viewer.ready = true;
}

let last = 0;
function frame(now: number): void {
  if (playing) {
    const dt = last > 0 ? (now - last) / 1000 : 0;
    seek(t + dt * Number(speedSelect.value));
    if (t >= end) setPlaying(false);
  }
  last = now;
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

function setPlaying(p: boolean): void {
  playing = p;
  playButton.textContent = p ? "pause" : "play";
}

playButton.addEventListener("click", () => setPlaying(!playing));

/**
 * Keys: space plays and pauses; ← and → step back and forward by 1% of the run (10% with shift);
 * + and − choose the next faster or slower speed; Home and End go to the start and the end. Keys
 * typed into a form field are that field's.
 */
document.addEventListener("keydown", (e) => {
  const target = e.target as HTMLElement | null;
  if (target && (target.tagName === "INPUT" || target.tagName === "SELECT") && target.id !== "time") return;
  // A focused button takes space as its own click.
  if (target?.tagName === "BUTTON" && e.key === " ") return;
  const step = (end / 100) * (e.shiftKey ? 10 : 1);
  if (e.key === " ") setPlaying(!playing);
  else if (e.key === "ArrowRight") seek(t + step);
  else if (e.key === "ArrowLeft") seek(t - step);
  else if (e.key === "Home") seek(0);
  else if (e.key === "End") seek(end);
  else if (e.key === "+" || e.key === "=") shiftSpeed(1);
  else if (e.key === "-" || e.key === "_") shiftSpeed(-1);
  else return;
  e.preventDefault();
});

function shiftSpeed(by: number): void {
  const i = Math.min(Math.max(0, speedSelect.selectedIndex + by), speedSelect.options.length - 1);
  speedSelect.selectedIndex = i;
}
slider.addEventListener("input", () => seek(Number(slider.value)));
modeSelect.addEventListener("change", () => {
  renderLegend(legendRoot, modeSelect.value);
  draw();
});
groupSelect.addEventListener("change", () => {
  const width = Math.min(900, Math.floor((window.innerWidth - 380) / Math.max(1, runs.length)));
  runs.forEach((r, k) => {
    const canvas = document.querySelector(`canvas[data-run="${k}"]`) as HTMLCanvasElement;
    r.heatmap = new Heatmap(canvas, r.index, width, groupSelect.value as Grouping);
  });
  draw();
});
for (const box of document.querySelectorAll<HTMLInputElement>("#events input[data-code]")) {
  box.addEventListener("change", () => {
    if (box.checked) shown.add(box.dataset.code!);
    else shown.delete(box.dataset.code!);
    draw();
  });
}

/** Why nothing is shown, in the page's title line (a message may quote the file: cut). */
function failed(what: string, err: unknown): void {
  $<HTMLSpanElement>("title").textContent = short(`${what}: ${err instanceof Error ? err.message : String(err)}`, 1000);
}

// A replay dropped on the page replaces what is shown.
document.addEventListener("dragover", (e) => e.preventDefault());
document.addEventListener("drop", async (e) => {
  e.preventDefault();
  const files = [...(e.dataTransfer?.files ?? [])].slice(0, 2);
  if (files.length === 0) return;
  try {
    show(await Promise.all(files.map(async (f) => ({ name: f.name, text: await fileText(f, maxBytes) }))));
  } catch (err) {
    failed("could not read the dropped file", err);
  }
});

/** Runs to open: `?replay=URL` (repeatable, two at most), else what `clustersim view` serves at runs.json. */
async function start(): Promise<void> {
  const params = new URLSearchParams(location.search);
  let sources: { name: string; url: string; decisions?: string }[] = params
    .getAll("replay")
    .map((url) => ({ name: url.split("/").slice(-2).join("/"), url }));
  if (sources.length === 0) {
    const list = await fetch("runs.json").then(
      (r) => (r.ok ? r.json() : []),
      () => [],
    );
    sources = (list as { name: string; replay: string; files: string[] }[]).map((r) => ({
      name: r.name,
      url: r.replay,
      decisions: r.files.includes("decisions.jsonl") ? r.replay.replace("replay.jsonl", "decisions.jsonl") : undefined,
    }));
  }
  if (sources.length === 0) return;
  try {
    const loaded = await Promise.all(
      sources.slice(0, 2).map(async (s) => {
        const r = await fetch(s.url);
        if (!r.ok) throw new Error(`${s.url}: ${r.status} ${r.statusText}`);
        const text = await responseText(r, s.url, maxBytes);
        const d = s.decisions ? await fetch(s.decisions) : undefined;
        return { name: s.name, text, decisions: d?.ok ? await responseText(d, s.decisions!, maxBytes) : undefined };
      }),
    );
    show(loaded);
  } catch (err) {
    failed("could not open the replay", err);
  }
}
// runs.json comes from `clustersim view`; should it be malformed, the page still says why.
void start().catch((err) => failed("could not open the replay", err));
