import { TraceError } from "../traces/trace-error.js";
import type { Task } from "./task.js";

/**
 * Merge task streams that are each in arrival order into one, in arrival order; ties go to the stream
 * listed first. Ids are assigned in merged order. Only one task per stream is held at a time.
 */
export async function* mergeByArrival(
  streams: ReadonlyArray<AsyncIterable<Task> | Iterable<Task>>,
): AsyncGenerator<Task> {
  const its = streams.map((s) =>
    Symbol.asyncIterator in s ? s[Symbol.asyncIterator]() : (s as Iterable<Task>)[Symbol.iterator](),
  );
  const heads: Array<Task | undefined> = await Promise.all(
    its.map(async (it) => (await it.next()).value as Task | undefined),
  );
  let id = 0;
  let last = -Infinity;
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h && (best < 0 || h.arrivalS < heads[best]!.arrivalS)) best = i;
    }
    if (best < 0) return;
    const t = heads[best]!;
    if (t.arrivalS < last) {
      // A trace out of time order (several openb lists are): bad input, named, not a defect.
      throw new TraceError(
        `workload ${best + 1}`,
        0,
        "arrivalS",
        `tasks in arrival order (sort the trace by time, or time arrivals anew with a sample transform's spacing), a task at or after ${last} s`,
        `${t.arrivalS} s`,
      );
    }
    last = t.arrivalS;
    yield { ...t, id: id++ };
    const next = await its[best].next();
    heads[best] = next.done ? undefined : (next.value as Task);
  }
}
