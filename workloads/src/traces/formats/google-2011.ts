import { csvRows } from "../csv-rows.js";
import type { LoadOptions } from "../trace-error.js";

/**
 * Google cluster-data 2011 task events (Reiss et al., "Google cluster-usage traces: format + schema"):
 * CSV without header; time in microseconds; requests normalised to the largest machine. Lines starting
 * with '#' are taken as comments (the shipped samples have one).
 */
export interface GoogleTaskEvent {
  timeS: number;
  jobId: number;
  taskIndex: number;
  /** NaN where the event has no machine. */
  machineId: number;
  /** 0 submit, 1 schedule, 2 evict, 3 fail, 4 finish, 5 kill, 6 lost, 7 update pending, 8 update running. */
  eventType: number;
  user: string;
  schedulingClass: number;
  priority: number;
  /** Requests as fractions of the largest machine; NaN where missing. */
  cpuRequest: number;
  memoryRequest: number;
  diskRequest: number;
  differentMachine: boolean;
}

const NAMES = [
  "timestamp",
  "missing info",
  "job ID",
  "task index",
  "machine ID",
  "event type",
  "user",
  "scheduling class",
  "priority",
  "CPU request",
  "memory request",
  "disk request",
  "different-machine constraint",
] as const;

export function loadGoogleTaskEvents(file: string, options: LoadOptions = {}): AsyncGenerator<GoogleTaskEvent> {
  let last = -Infinity;
  return csvRows(
    file,
    {
      names: NAMES,
      minCells: 13,
      comment: "#",
      parse: (f) => {
        const timeS = f.nonNegative(0) / 1e6;
        if (timeS < last)
          f.fail("timestamp", `a time not before the previous event's (${last * 1e6})`, String(timeS * 1e6));
        last = timeS;
        const eventType = f.wholeNumber(5);
        if (eventType > 8) f.fail("event type", "0 to 8", String(eventType));
        // Requests are shares of the largest machine (the schema's normalisation): at most 1.
        const share = (i: number) => {
          const x = f.optionalNonNegative(i);
          if (x > 1) f.fail(NAMES[i], "a share of the largest machine, 0 to 1", String(x));
          return x;
        };
        return {
          timeS,
          jobId: f.wholeNumber(2),
          taskIndex: f.wholeNumber(3),
          machineId: f.optionalNonNegative(4),
          eventType,
          user: f.text(6),
          schedulingClass: f.wholeNumber(7),
          priority: f.wholeNumber(8),
          cpuRequest: share(9),
          memoryRequest: share(10),
          diskRequest: share(11),
          differentMachine: f.text(12) === "1",
        };
      },
    },
    options,
  );
}
