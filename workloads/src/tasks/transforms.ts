import type { Rng } from "@clustersim/sim-core";
import { gpuDemand, type Task, type TaskNumericField } from "./task.js";

/**
 * Transforms of a task stream, applied in the order a scenario lists them. `window`, `timeScale` and
 * `filter` stream; `shuffle` and `sample` need the whole population and hold it in memory (as tasks,
 * so mind the size: use `window` or `filter` first on a large trace).
 */
export type Transform =
  | {
      type: "window";
      fromS?: number;
      toS?: number;
      /** The first index kept, or one drawn uniformly from [lowest, highest] by the transform's stream. */
      fromIndex?: number | { uniform: readonly [number, number] };
      count?: number;
      rebase?: boolean;
    }
  | { type: "timeScale"; factor: number }
  | {
      type: "filter";
      field: TaskNumericField | "app" | "runtime";
      op: "<" | "<=" | ">" | ">=" | "==" | "!=";
      value: number | string;
    }
  | { type: "shuffle" }
  | { type: "noDepartures" }
  | { type: "sample"; until: { field: TaskNumericField | "gpuDemand" | "count"; total: number }; spacingS?: number };

type Stream = AsyncIterable<Task>;

/** Tasks in an arrival-time or index window; `rebase` shifts arrivals so the first kept one is at 0. */
async function* window(src: Stream, t: Extract<Transform, { type: "window" }>, rng: () => Rng): AsyncGenerator<Task> {
  const from = t.fromS ?? -Infinity;
  const to = t.toS ?? Infinity;
  const firstIndex = typeof t.fromIndex === "object" ? drawIndex(t.fromIndex.uniform, rng()) : (t.fromIndex ?? 0);
  const lastIndex = t.count === undefined ? Infinity : firstIndex + t.count;
  let index = -1;
  let origin = NaN;
  for await (const task of src) {
    index++;
    if (index < firstIndex || task.arrivalS < from || task.arrivalS >= to) {
      if (index >= lastIndex || task.arrivalS >= to) break;
      continue;
    }
    if (index >= lastIndex) break;
    if (t.rebase) {
      if (Number.isNaN(origin)) origin = task.arrivalS;
      yield { ...task, arrivalS: task.arrivalS - origin };
    } else yield task;
  }
}

/** An index uniform over [lowest, highest], both included. */
const drawIndex = ([lo, hi]: readonly [number, number], rng: Rng) =>
  Math.min(hi, lo + Math.floor(rng.next() * (hi - lo + 1)));

/** Compress time by `factor` (> 1 raises the offered load by that factor); run times are unchanged. */
async function* timeScale(src: Stream, factor: number): AsyncGenerator<Task> {
  for await (const task of src) yield { ...task, arrivalS: task.arrivalS / factor };
}

const COMPARE = {
  "<": (a: number | string, b: number | string) => a < b,
  "<=": (a: number | string, b: number | string) => a <= b,
  ">": (a: number | string, b: number | string) => a > b,
  ">=": (a: number | string, b: number | string) => a >= b,
  "==": (a: number | string, b: number | string) => a === b,
  "!=": (a: number | string, b: number | string) => a !== b,
};

async function* filter(src: Stream, t: Extract<Transform, { type: "filter" }>): AsyncGenerator<Task> {
  const test = COMPARE[t.op];
  for await (const task of src) if (test(task[t.field], t.value)) yield task;
}

async function collect(src: Stream): Promise<Task[]> {
  const all: Task[] = [];
  for await (const task of src) all.push(task);
  return all;
}

/** Randomise who arrives when: permute the tasks, keeping the sequence of arrival times. */
async function* shuffle(src: Stream, rng: Rng): AsyncGenerator<Task> {
  const all = await collect(src);
  const times = all.map((t) => t.arrivalS);
  rng.shuffle(all);
  for (let i = 0; i < all.length; i++) yield { ...all[i], arrivalS: times[i] };
}

/**
 * Draw tasks with replacement until the drawn total of a field reaches `total` (e.g. GPU demand of 130%
 * of the cluster's GPUs, as in the FGD experiments); the last draw may pass it. Drawn tasks arrive
 * `spacingS` apart from time 0 (default 0: all at once, order kept).
 */
async function* sample(src: Stream, t: Extract<Transform, { type: "sample" }>, rng: Rng): AsyncGenerator<Task> {
  const population = await collect(src);
  if (population.length === 0) return;
  const measure =
    t.until.field === "count"
      ? () => 1
      : t.until.field === "gpuDemand"
        ? gpuDemand
        : (x: Task) => x[t.until.field as TaskNumericField];
  if (!population.some((x) => measure(x) > 0)) {
    throw new RangeError(
      `sample: no task has a positive ${t.until.field}, so a total of ${t.until.total} can never be reached`,
    );
  }
  const spacing = t.spacingS ?? 0;
  let sum = 0;
  for (let i = 0; sum < t.until.total; i++) {
    const picked = population[Math.floor(rng.next() * population.length)];
    sum += measure(picked) || 0;
    yield { ...picked, arrivalS: i * spacing };
  }
}

/**
 * Tasks that never leave once placed: their run time is dropped (the FGD protocol's "each pod placed
 * once", where allocation is measured as arrived load grows).
 */
async function* noDepartures(src: Stream): AsyncGenerator<Task> {
  for await (const task of src) yield { ...task, runS: Number.NaN, reqTimeS: Number.NaN };
}

/** Apply transforms in order; `rng(k)` gives the stream of the k-th transform (only those that draw use it). */
export function applyTransforms(src: Stream, transforms: readonly Transform[], rng: (k: number) => Rng): Stream {
  let out = src;
  transforms.forEach((t, k) => {
    const input = out;
    switch (t.type) {
      case "window":
        out = window(input, t, () => rng(k));
        break;
      case "timeScale":
        out = timeScale(input, t.factor);
        break;
      case "filter":
        out = filter(input, t);
        break;
      case "shuffle":
        out = shuffle(input, rng(k));
        break;
      case "sample":
        out = sample(input, t, rng(k));
        break;
      case "noDepartures":
        out = noDepartures(input);
        break;
    }
  });
  return out;
}
