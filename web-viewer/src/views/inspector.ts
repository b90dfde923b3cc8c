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
  const tasks = index.tasksOn(node, t);
  root.append(el("h3", `${tasks.length} task${tasks.length === 1 ? "" : "s"}`));
  const table = el("table");
  const head = el("tr");
  for (const h of ["task", "CPU m", "memory MiB"]) head.append(el("th", h));
  table.append(head);
  for (const k of tasks.slice(0, 200)) {
    const tr = el("tr");
    tr.append(
      el("td", String(index.taskId[k])),
      el("td", String(index.taskCpu[k])),
      el("td", String(index.taskMem[k])),
    );
    table.append(tr);
  }
  root.append(table);
}
