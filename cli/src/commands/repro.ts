import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  FGD_PUBLISHED,
  type FgdReproResult,
  RLSCHEDULER_PUBLISHED,
  type RlReproResult,
  reproFgd,
  reproRlScheduler,
} from "@clustersim/experiments";
import { TraceError } from "@clustersim/workloads";
import { ChecksFailed, UserError } from "../errors.js";

/** The shared trace folder beside the checkout (../shared/traces), unless CLUSTERSIM_TRACES says otherwise. */
function tracesDir(): string {
  return process.env.CLUSTERSIM_TRACES ?? fileURLToPath(new URL("../../../../shared/traces/", import.meta.url));
}

function needFile(file: string, what: string): string {
  if (!existsSync(file)) throw new UserError(`${what}: no such file: ${file}`);
  return file;
}

/** Turn a loader's complaint about the input into a one-line user error. */
async function userErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (
      err instanceof TraceError ||
      (err instanceof Error && !(err instanceof TypeError) && !(err instanceof RangeError))
    ) {
      throw new UserError(err.message);
    }
    throw err;
  }
}

/**
 * `--starts` (repro rlscheduler, eval-rl): distinct job indices, each in plain decimal digits (Number()
 * would read "0x10", "1e3" and " 5" as 16, 1000 and 5), and at most `range.last` when the trace is
 * known (`range.why` says why, in the message). A window given twice would count one window as two
 * and narrow the intervals over the windows (to zero width with only it).
 */
export function jobStarts(list: string, range?: { last: number; why: string }): number[] {
  const expected = range
    ? `comma-separated job indices from 0 to ${range.last} (${range.why})`
    : "comma-separated job indices (whole numbers from 0, in decimal digits)";
  const starts = list.split(",").map((x) => {
    const n = Number(x);
    if (!/^\d+$/.test(x) || (range && n > range.last))
      throw new UserError(`--starts: expected ${expected}, found "${x}"`);
    return n;
  });
  const dup = starts.find((s, i) => starts.indexOf(s) !== i);
  if (dup !== undefined) throw new UserError(`--starts: expected distinct job indices, found ${dup} twice`);
  return starts;
}

const positiveInt = (name: string, s: string | undefined, fallback: number) => {
  if (s === undefined) return fallback;
  const n = Number(s);
  if (!Number.isInteger(n) || n <= 0) throw new UserError(`${name}: expected a positive integer, found "${s}"`);
  return n;
};

export interface RlOptions {
  trace?: string;
  json?: boolean;
  windows?: string;
  windowJobs?: string;
  starts?: string;
  published?: boolean;
  semantics?: string;
}

function rlTable(
  r: RlReproResult,
  published?: (typeof RLSCHEDULER_PUBLISHED)[string],
): { lines: string[]; off: number } {
  const lines = [
    `${r.trace}: ${r.jobs} jobs, ${r.nodes} nodes x ${r.procsPerNode} procs, windows of ${r.windowJobs} at [${r.starts.join(", ")}]`,
  ];
  let off = 0;
  for (const metric of ["boundedSlowdown", "utilisation"] as const) {
    const digits = metric === "boundedSlowdown" ? 2 : 3;
    lines.push(
      `  ${metric === "boundedSlowdown" ? "bounded slowdown" : "utilisation"}${published ? " (ours / published)" : ""}`,
    );
    for (const bf of [false, true]) {
      const cells = r.results
        .filter((x) => x.backfill === bf)
        .map((x) => {
          const ours = x[metric].toFixed(digits);
          if (!published) return `${x.policy.toUpperCase()} ${ours}`;
          const pub = (metric === "boundedSlowdown" ? published.bsld : published.util)[bf ? "easy" : "none"][x.policy];
          const ok = ours === pub.toFixed(digits);
          if (!ok) off++;
          return `${x.policy.toUpperCase()} ${ours}/${pub.toFixed(digits)}${ok ? "" : " OFF"}`;
        });
      lines.push(`    ${bf ? "EASY backfilling" : "no backfilling  "}  ${cells.join("  ")}`);
    }
  }
  return { lines, off };
}

function semanticsOf(s: string | undefined): "compat" | "default" {
  if (s === undefined || s === "compat" || s === "default") return s ?? "compat";
  throw new UserError(`--semantics: expected "compat" or "default", found "${s}"`);
}

/** `clustersim repro rlscheduler`. */
export async function reproRlCommand(o: RlOptions, print: (line: string) => void): Promise<void> {
  if (o.published) {
    let off = 0;
    const all: RlReproResult[] = [];
    for (const [name, pub] of Object.entries(RLSCHEDULER_PUBLISHED)) {
      const r = await userErrors(() => reproRlScheduler({ trace: needFile(join(tracesDir(), pub.file), name) }));
      all.push(r);
      if (o.json) continue;
      const t = rlTable(r, pub);
      print(`${name}`);
      t.lines.forEach((l) => print(l));
      off += t.off;
    }
    if (o.json) {
      print(JSON.stringify(all));
      off = all.reduce((n, r, i) => n + rlTable(r, Object.values(RLSCHEDULER_PUBLISHED)[i]).off, 0);
    } else
      print(
        off === 0
          ? "all cells match the published tables to the printed digit"
          : `${off} cell(s) differ from the published tables`,
      );
    if (off > 0) throw new ChecksFailed(`${off} cell(s) differ`);
    return;
  }
  if (!o.trace) throw new UserError("repro rlscheduler: give --trace FILE (an SWF file), or --published");
  const r = await userErrors(() =>
    reproRlScheduler({
      trace: needFile(o.trace!, "--trace"),
      windows: positiveInt("--windows", o.windows, 10),
      windowJobs: positiveInt("--window-jobs", o.windowJobs, 1024),
      starts: o.starts !== undefined ? jobStarts(o.starts) : undefined,
      semantics: semanticsOf(o.semantics),
    }),
  );
  if (o.json) print(JSON.stringify(r));
  else rlTable(r).lines.forEach((l) => print(l));
}

export interface FgdOptions {
  pods?: string;
  nodes?: string;
  seeds?: string;
  json?: boolean;
  published?: boolean;
  tieBreak?: string;
  workers?: string;
}

function fgdTable(r: FgdReproResult, published: boolean): { lines: string[]; off: number; rankingOk: boolean } {
  const lines = [
    `${r.nodes} nodes, ${r.gpus} GPUs, ${r.podTypes} typical pod types, seeds ${r.seeds[0]}..${r.seeds[r.seeds.length - 1]}`,
  ];
  let off = 0;
  for (const p of r.policies) {
    const cells = p.checkpoints.map((c) => {
      let s = `${Math.round(c.load * 100)}%: alloc ${c.allocationPct.mean.toFixed(2)} ± ${c.allocationPct.sd.toFixed(2)}, frag ${c.fragmentationPct.mean.toFixed(2)}`;
      const pub = FGD_PUBLISHED.allocationPct[p.policy];
      if (published && c.load === FGD_PUBLISHED.load && pub !== undefined) {
        const ok = Math.abs(c.allocationPct.mean - pub) <= FGD_PUBLISHED.tolerance;
        if (!ok) off++;
        s += ` (published ${pub.toFixed(2)}${ok ? "" : " OFF"})`;
      }
      return s;
    });
    lines.push(`  ${p.policy.padEnd(14)} ${cells.join(" | ")}`);
  }
  const at = (p: FgdReproResult["policies"][number]) =>
    p.checkpoints.find((c) => c.load === FGD_PUBLISHED.load)?.allocationPct.mean ?? NaN;
  const ours = [...r.policies].sort((a, b) => at(a) - at(b)).map((p) => p.policy);
  const theirs = Object.entries(FGD_PUBLISHED.allocationPct)
    .sort((a, b) => a[1] - b[1])
    .map(([k]) => k);
  const rankingOk = ours.join() === theirs.join();
  if (published)
    lines.push(
      `  ranking ${rankingOk ? "matches" : "differs"}: ours ${ours.join(" < ")}; published ${theirs.join(" < ")}`,
    );
  return { lines, off, rankingOk };
}

function tieBreakOf(s: string | undefined): "first" | "random" {
  if (s === undefined || s === "first" || s === "random") return s ?? "first";
  throw new UserError(`--tie-break: expected "first" or "random", found "${s}"`);
}

/** `clustersim repro fgd`. */
export async function reproFgdCommand(o: FgdOptions, print: (line: string) => void): Promise<void> {
  const dir = tracesDir();
  const pods = o.pods ?? (o.published ? join(dir, FGD_PUBLISHED.pods) : undefined);
  if (!pods) throw new UserError("repro fgd: give --pods FILE (an openb pod list), or --published");
  const nodes = o.nodes ?? join(dir, FGD_PUBLISHED.nodes);
  const r = await userErrors(() =>
    reproFgd({
      podsFile: needFile(pods, "--pods"),
      nodesFile: needFile(nodes, "--nodes"),
      seeds: positiveInt("--seeds", o.seeds, 10),
      tieBreak: tieBreakOf(o.tieBreak),
      workers: positiveInt("--workers", o.workers, 2),
    }),
  );
  const t = fgdTable(r, !!o.published);
  if (o.json) print(JSON.stringify(r));
  else t.lines.forEach((l) => print(l));
  if (o.published && (t.off > 0 || !t.rankingOk)) {
    if (!o.json) print(`${t.off} policy value(s) outside ±${FGD_PUBLISHED.tolerance} point(s) of the published means`);
    throw new ChecksFailed("FGD reproduction off");
  }
}
