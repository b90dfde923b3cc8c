import type { ReplayHeader } from "@clustersim/replay";

/**
 * What the viewer accepts from a replay it did not write: a replay file is user input (a download, an
 * attachment), so every name and number is checked before a view uses it. The rule, per field:
 * - names (scenario, scheduler, groups, services, windows) are cut to NAME_CHARS with an ellipsis: a
 *   100 MB name laid out as text stalls or kills the page, and nobody reads past a few hundred characters;
 * - times, indexes (node, service, pool, group) and task ids are refused, naming the line and the
 *   field: they place every event (a seek is a binary search on time; a node index picks a cell), so a
 *   wrong one cannot be drawn anywhere truthful, and an out-of-order time breaks every later seek;
 * - quantities (capacities, requests, usage, rates, counts, costs, objectives) are clamped to
 *   [0, MAX_QUANTITY]: they only colour a cell or draw a line, the clamped value shows as full or off
 *   the scale, the rest of the run stays viewable, and every sum of them stays finite.
 */

/** How many characters of a name are shown. */
export const NAME_CHARS = 300;
/** The latest time accepted, seconds (about 31,700 years): times, their sums and products stay exact and finite. */
export const MAX_TIME_S = 1e12;
/** What a time must be, as messages say it. */
export const TIME_RANGE = "seconds from 0 to 1e12";
/** The largest quantity kept (clamped to it): 2^31 events of it still sum far below Number.MAX_VALUE. */
export const MAX_QUANTITY = 1e15;
/**
 * The most nodes a replay may have: every node costs 34 bytes in each state and keyframe the page
 * keeps, and the heatmap draws one pixel per node; 100 times the 10,000 nodes the viewer is benchmarked on.
 */
export const MAX_NODES = 1_000_000;

/** A name as shown: at most `max` characters, with an ellipsis when cut (never half a surrogate pair). */
export function short(s: string, max = NAME_CHARS): string {
  if (s.length <= max) return s;
  const end = /[\uD800-\uDBFF]/.test(s[max - 1]) ? max - 1 : max;
  return `${s.slice(0, end)}…`;
}

/** A value read from a replay, described in a message (briefly: it may be huge). */
export function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(short(v, 40));
  if (typeof v === "number" || typeof v === "boolean" || v === null) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return v === undefined ? "nothing" : `${typeof v === "object" ? "an object" : typeof v}`;
}

/** A quantity clamped to [0, MAX_QUANTITY]; NaN (null: absent, where the format allows it) stays NaN. */
export function quantity(v: number): number {
  return v <= 0 ? 0 : v >= MAX_QUANTITY ? MAX_QUANTITY : v;
}

function refuse(field: string, expected: string, found: unknown): never {
  throw new Error(`line 1: ${field}: expected ${expected}, found ${describe(found)}`);
}

function name(v: unknown, field: string): string {
  if (typeof v !== "string") refuse(field, "a string", v);
  return short(v);
}

function num(v: unknown, field: string): number {
  if (typeof v !== "number") refuse(field, "a number", v);
  return v;
}

function int(v: unknown, field: string, min: number, max: number, what: string): number {
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) refuse(field, what, v);
  return v as number;
}

function time(v: unknown, field: string): number {
  const t = num(v, field);
  if (!(t >= 0 && t <= MAX_TIME_S)) refuse(field, TIME_RANGE, t);
  return t;
}

/** An optional array of the header: each element through `each` (index and field name given). */
function list<T>(v: unknown, field: string, each: (x: unknown, f: string) => T): T[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) refuse(field, "an array", v);
  return v.map((x, i) => each(x, `${field}[${i}]`));
}

function tuple(v: unknown, field: string, min: number): unknown[] {
  if (!Array.isArray(v) || v.length < min) refuse(field, `an array of at least ${min}`, v);
  return v;
}

/**
 * The header as the views may use it (readHeader has checked its format and version): the fields the
 * viewer reads, checked and copied, names cut and quantities clamped (see the rule above).
 */
export function checkHeader(h: ReplayHeader): ReplayHeader {
  const groups = list(h.groups, "groups", name)!;
  if (h.nodes.length > MAX_NODES) {
    refuse(
      "nodes",
      `at most ${MAX_NODES.toLocaleString("en")} nodes`,
      `${h.nodes.length.toLocaleString("en")} of them`,
    );
  }
  const nodes = h.nodes.map((n, i) => {
    const f = `nodes[${i}]`;
    const [group, cpu, mem, gpus, present] = tuple(n, f, 4);
    return [
      int(group, `${f}[0] (group)`, 0, groups.length - 1, `an index of groups, 0 to ${groups.length - 1}`),
      quantity(num(cpu, `${f}[1] (CPU millicores)`)),
      quantity(num(mem, `${f}[2] (memory MiB)`)),
      quantity(num(gpus, `${f}[3] (GPUs)`)),
      present === 0 ? 0 : 1,
    ] as [number, number, number, number, number];
  });
  // Racks and pools name one per node, -1 for none: a missing entry is none.
  const perNode = (v: unknown, field: string) => {
    const a = list(v, field, (x, f) => int(x, f, -1, 2 ** 31 - 1, "an index, or -1 for none"));
    return a && nodes.map((_, i) => a[i] ?? -1);
  };
  const durationS = h.durationS ?? 0; // absent or null: unknown, the last event's time stands for it
  return {
    format: h.format,
    version: h.version,
    scenario: name(h.scenario, "scenario"),
    seed: num(h.seed, "seed"),
    scheduler: name(h.scheduler, "scheduler"),
    durationS: time(durationS, "durationS"),
    groups,
    nodes,
    services: list(h.services, "services", (s, f) => {
      const [n, q, target] = tuple(s, f, 3);
      const quantile = num(q, `${f}[1] (quantile)`);
      return [
        name(n, `${f}[0] (name)`),
        quantile >= 1 ? 1 : quantity(quantile),
        quantity(num(target, `${f}[2] (target s)`)),
      ];
    }),
    racks: perNode(h.racks, "racks"),
    pools: perNode(h.pools, "pools"),
    poolCapacityMiB: list(h.poolCapacityMiB, "poolCapacityMiB", (x, f) => quantity(num(x, f))),
    // Virtual nodes out of range are skipped where used.
    virtual: list(h.virtual, "virtual", (x, f) => int(x, f, -(2 ** 31), 2 ** 31 - 1, "a node index")),
    clockStartS: h.clockStartS === undefined ? undefined : time(h.clockStartS, "clockStartS"),
    // Calls out of range are skipped where drawn (the engine writes -1 for a callee it does not know).
    calls: list(h.calls, "calls", (c, f) => {
      const [a, b] = tuple(c, f, 2);
      return [
        int(a, f, -(2 ** 31), 2 ** 31 - 1, "service indexes"),
        int(b, f, -(2 ** 31), 2 ** 31 - 1, "service indexes"),
      ];
    }),
    // A window only shades the charts: its times are clamped, not refused.
    windows: list(h.windows, "windows", (w, f) => {
      const [n, from, to] = tuple(w, f, 3);
      const clamp = (x: number) => Math.min(Math.max(0, x), MAX_TIME_S);
      return [name(n, `${f}[0] (name)`), clamp(num(from, `${f}[1] (from s)`)), clamp(num(to, `${f}[2] (to s)`))];
    }),
  };
}
