/** A placement decision as `outputs.decisions` records it (decisions.jsonl; schedulers' DecisionRecord). */
export interface Decision {
  timeS: number;
  task: number;
  node: number;
  /** Nodes each filter plugin rejected. */
  rejectedBy: Record<string, number>;
  /** The best nodes with their weighted total and each plugin's normalised score. */
  top: { node: number; total: number; scores: Record<string, number> }[];
}

/** A run's decisions by task, in time order (a task preempted and placed again has several). */
export function indexDecisions(text: string): Map<number, Decision[]> {
  const byTask = new Map<number, Decision[]>();
  text.split("\n").forEach((line, i) => {
    if (line.length === 0) return;
    let d: Decision;
    try {
      d = JSON.parse(line) as Decision;
    } catch {
      throw new Error(`decisions.jsonl line ${i + 1}: expected a JSON object, found ${line.slice(0, 60)}`);
    }
    // The inspector reads these fields when a node is clicked: a wrong one is refused now, not thrown then.
    const isObject = (x: unknown) => typeof x === "object" && x !== null;
    const isNumber = (x: unknown) => typeof x === "number";
    if (
      !isObject(d) ||
      ![d.timeS, d.task, d.node].every(isNumber) ||
      !isObject(d.rejectedBy) ||
      !Array.isArray(d.top) ||
      !d.top.every((c) => isObject(c) && isNumber(c.node) && isObject(c.scores))
    ) {
      throw new Error(
        `decisions.jsonl line ${i + 1}: expected {timeS, task, node, rejectedBy, top: [{node, total, scores}]}, found ${line.slice(0, 60)}`,
      );
    }
    const list = byTask.get(d.task);
    if (list) list.push(d);
    else byTask.set(d.task, [d]);
  });
  return byTask;
}

/** Why `task` is on `node` at `t`: its latest decision by then that chose this node. */
export function decisionFor(
  byTask: Map<number, Decision[]> | undefined,
  task: number,
  node: number,
  t: number,
): Decision | undefined {
  const list = byTask?.get(task);
  if (!list) return undefined;
  for (let i = list.length - 1; i >= 0; i--) if (list[i].timeS <= t && list[i].node === node) return list[i];
  return undefined;
}
