import { type Decision, decisionFor } from "../model/decisions.js";
import { short } from "../model/replay-checks.js";
import type { NodeState, ReplayIndex } from "../model/replay-index.js";
import { clear, el } from "./text.js";

/** One node at the current time: its group, capacity, what is allocated, and the tasks on it. */
export function renderInspector(
  root: HTMLElement,
  run: string,
  index: ReplayIndex,
  node: number,
  state: NodeState,
  t: number,
  decisions?: Map<number, Decision[]>,
): void {
  clear(root);
  root.append(el("h2", `${run}: node ${node}`));
  const [group, cpu, mem, gpus] = index.header.nodes[node];
  const status = !state.present[node] ? "not in the cluster" : state.up[node] ? "up" : "down";
  const dl = el("dl");
  const row = (k: string, v: string, id: string) => {
    dl.append(el("dt", k));
    const dd = el("dd", v);
    dd.dataset.field = id;
    dl.append(dd);
  };
  row("group", index.header.groups[group] ?? String(group), "group");
  row("status", status, "status");
  row("CPU allocated", `${state.cpu[node]} of ${cpu} m`, "cpu");
  row("memory allocated", `${state.mem[node]} of ${mem} MiB`, "mem");
  if (gpus > 0) row("GPU allocated", `${state.gpu[node] / 1000} of ${gpus}`, "gpu");
  root.append(dl);
  const cpuOf = new Map<number, number>();
  const tasks = index.tasksOn(node, t, cpuOf);
  root.append(el("h3", `${tasks.length} task${tasks.length === 1 ? "" : "s"}`));
  const table = el("table");
  const head = el("tr");
  for (const h of ["task", "CPU m", "memory MiB"]) head.append(el("th", h));
  table.append(head);
  for (const k of tasks.slice(0, 200)) {
    const tr = el("tr");
    tr.append(
      el("td", String(index.taskId[k])),
      el("td", String(cpuOf.get(k) ?? index.taskCpu[k])),
      el("td", String(index.taskMem[k])),
    );
    table.append(tr);
  }
  root.append(table);
  if (!decisions) return;
  // Why each task is here: the filters that rejected nodes, and the best candidates' scores by plugin.
  const why = el("section");
  why.dataset.field = "decisions";
  why.append(el("h3", "why here"));
  for (const k of tasks.slice(0, 50)) {
    const d = decisionFor(decisions, index.taskId[k], node, t);
    if (!d) continue;
    const box = el("details");
    const mine = d.top.find((c) => c.node === node);
    box.append(
      el("summary", short(`task ${d.task}: placed at ${d.timeS.toFixed(1)} s${mine ? `, score ${mine.total}` : ""}`)),
    );
    const rejected = Object.entries(d.rejectedBy);
    // Plug-in names come from the run's files: cut, as every name from a run is.
    box.append(
      el(
        "p",
        short(
          rejected.length > 0
            ? `filters rejected: ${rejected.map(([plugin, n]) => `${plugin} ${n} node${n === 1 ? "" : "s"}`).join(", ")}`
            : "no filter rejected a node",
          1000,
        ),
      ),
    );
    const list = el("ol");
    for (const c of d.top) {
      const scores = Object.entries(c.scores)
        .map(([plugin, v]) => `${plugin} ${v}`)
        .join(", ");
      list.append(el("li", short(`node ${c.node}: total ${c.total} (${scores})`, 1000)));
    }
    box.append(list);
    why.append(box);
  }
  root.append(why);
}
