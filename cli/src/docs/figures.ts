/**
 * Figures the docs quote, kept true by the runs they come from. A page marks each one as
 *
 *   <!--fig SOURCE PATH FORMAT-->text<!--/fig-->
 *
 * SOURCE names a run (./figure-sources.ts), PATH a field of its result (keys joined by dots), FORMAT
 * how the value is printed (FORMATS below). The marks are HTML comments: invisible in the rendered
 * site and on GitHub. `npm run docs:figures` runs the sources the pages name and rewrites the text
 * between the marks; test/docs-figures.test.ts fails when a page's text is not what a fresh run prints.
 * Runs are deterministic for their seed, so a figure matches exactly; wall-clock timings are not
 * marked (they are quoted with the machine they came from).
 */

/** One marked figure in a page. */
export interface Figure {
  source: string;
  path: string;
  format: string;
  /** The text between the marks now. */
  text: string;
  /** Where the whole mark starts and ends in the page. */
  start: number;
  end: number;
}

const MARK = /<!--fig ([\w-]+) ([\w.-]+) ([\w-]+)-->([\s\S]*?)<!--\/fig-->/g;

/** The figures marked in a page's text, in order. */
export function figuresIn(text: string): Figure[] {
  return [...text.matchAll(MARK)].map((m) => ({
    source: m[1],
    path: m[2],
    format: m[3],
    text: m[4],
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/** The value at a dotted path of a result; undefined where a key is missing. */
export function valueAt(result: unknown, path: string): unknown {
  let v: unknown = result;
  for (const key of path.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

const grouped = (x: number, digits: number) =>
  x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

interface Interval {
  mean: number;
  low: number;
  high: number;
}

/** How a value is printed: numbers by precision, shares as percentages, intervals as mean [low, high]. */
export const FORMATS: Record<string, (v: unknown) => string> = {
  int: (v) => grouped(Math.round(num(v)), 0),
  fixed1: (v) => num(v).toFixed(1),
  fixed2: (v) => num(v).toFixed(2),
  fixed3: (v) => num(v).toFixed(3),
  pct0: (v) => `${(100 * num(v)).toFixed(0)}%`,
  pct1: (v) => `${(100 * num(v)).toFixed(1)}%`,
  interval3: (v) => interval(v, 3),
  interval4: (v) => interval(v, 4),
};

function num(v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new RangeError(`expected a finite number, found ${v}`);
  return v;
}

function interval(v: unknown, digits: number): string {
  const i = v as Interval;
  if (!i || typeof i !== "object") throw new RangeError(`expected an interval {mean, low, high}, found ${v}`);
  return `${num(i.mean).toFixed(digits)} [${num(i.low).toFixed(digits)}, ${num(i.high).toFixed(digits)}]`;
}

/** The text a figure should read, given its source's result. */
export function printed(f: Figure, result: unknown): string {
  const format = FORMATS[f.format];
  if (!format) throw new RangeError(`figure ${f.source} ${f.path}: unknown format "${f.format}"`);
  const v = valueAt(result, f.path);
  if (v === undefined) throw new RangeError(`figure ${f.source} ${f.path}: the run has no such field`);
  return format(v);
}

/**
 * A page with every figure's text replaced by what `results` (by source) print; with `partial`, the
 * figures of sources `results` does not hold are left as they are; with `problems`, so are those that
 * cannot be printed (a field the run lacks), each reported there instead of thrown.
 */
export function rewritten(
  text: string,
  results: ReadonlyMap<string, unknown>,
  partial = false,
  problems?: string[],
): string {
  let out = "";
  let at = 0;
  for (const f of figuresIn(text)) {
    if (partial && !results.has(f.source)) continue;
    let value: string;
    try {
      value = printed(f, results.get(f.source));
    } catch (err) {
      // With `problems`, a figure that cannot be printed keeps its text and is reported.
      if (!problems || !(err instanceof RangeError)) throw err;
      problems.push(err.message);
      continue;
    }
    out += text.slice(at, f.start);
    out += `<!--fig ${f.source} ${f.path} ${f.format}-->${value}<!--/fig-->`;
    at = f.end;
  }
  return out + text.slice(at);
}
