import type { ReplayIndex } from "../model/replay-index.js";
import { clear, clock, el } from "./text.js";

const LABEL: Record<string, string> = {
  a: "arrived",
  s: "started on node",
  f: "finished on node",
  k: "killed on node",
  p: "preempted on node",
  x: "never starts",
  r: "ready on node",
  m: "removed from node",
  z: "resized in place on node",
  d: "node down",
  u: "node up",
  "+": "node joined",
  "-": "node left",
};

/** The codes of node events (a start is "s": not one of them). */
const NODE_CODES = new Set(["d", "u", "+", "-"]);

/** The latest events at or before `t` whose codes are shown (`node` covers d, u, +, -), newest first. */
export function renderEventLog(
  root: HTMLElement,
  index: ReplayIndex,
  t: number,
  shown: Set<string>,
  limit = 100,
): void {
  clear(root);
  let i = index.eventsUpTo(t) - 1;
  let n = 0;
  for (; i >= 0 && n < limit; i--) {
    const code = index.codeName(i);
    const nodeEvent = NODE_CODES.has(code);
    const group = nodeEvent ? "node" : code;
    if (!shown.has(group) || code === "v" || code === "a" || code === "x") continue;
    const subject = nodeEvent ? `node ${index.subject[i]}` : `task ${index.taskId[index.subject[i]]}`;
    const where = index.node[i] >= 0 ? ` ${index.node[i]}` : "";
    root.append(el("li", `${clock(index.time[i], index.header.clockStartS)} ${subject} ${LABEL[code]}${where}`));
    n++;
  }
}
