import { mergeSweeps, runSweep, type SweepResult } from "@clustersim/experiments";
import { InputError } from "@clustersim/files";
import { SpecError } from "@clustersim/scenarios";
import { ChecksFailed, UserError } from "../errors.js";
import { positiveSeconds } from "../seconds-option.js";
import { TOOL_VERSION } from "../version.js";
import { workerCount } from "../workers-option.js";

export interface SweepOptions {
  out?: string;
  workers?: string;
  shard?: string;
  quiet?: boolean;
  measureMemory?: boolean;
  /** Seconds a run may take before it is stopped and recorded as failed. */
  runTimeout?: string;
  pluginTimeLimit?: string;
  /** Keep more workers than the machine has cores. */
  oversubscribe?: boolean;
  /** Replace another sweep's results in --out. */
  startOver?: boolean;
}

/** `clustersim sweep SWEEP`: experiments' runSweep, with a progress line on a terminal. */
export async function sweepCommand(file: string, o: SweepOptions, print: (line: string) => void): Promise<void> {
  const workers = workerCount(o.workers, o);
  const runTimeoutS = o.runTimeout === undefined ? undefined : positiveSeconds("--run-timeout", o.runTimeout);
  const pluginTimeLimitS =
    o.pluginTimeLimit === undefined ? undefined : positiveSeconds("--plugin-time-limit", o.pluginTimeLimit);
  const tty = !o.quiet && process.stderr.isTTY;
  let r: SweepResult;
  try {
    r = await runSweep(file, {
      out: o.out,
      workers,
      shard: o.shard,
      measureMemory: o.measureMemory,
      runTimeoutS,
      pluginTimeLimitS,
      toolVersion: TOOL_VERSION,
      startOver: o.startOver,
      onNote: (line) => {
        if (!o.quiet) process.stderr.write(`clustersim: note: ${line}\n`);
      },
      onStart: (s) => {
        if (o.quiet) return;
        print(
          `clustersim sweep "${s.name}": ${s.runs} runs${s.shards > 1 ? `, shard ${s.shard}/${s.shards}: ${s.mine}` : ""}, ${s.alreadyDone} already done${s.stale > 0 ? `, ${s.stale} stale: rerun` : ""}, ${s.workers} worker(s)`,
        );
      },
      onProgress: tty
        ? (p) =>
            process.stderr.write(
              `\r  ${p.done}/${p.total} runs, ${p.failed} failed${Number.isFinite(p.etaS) ? `, ETA ${p.etaS.toFixed(0)} s` : ""}   `,
            )
        : undefined,
    });
  } catch (err) {
    throw userError(err);
  }
  if (tty) process.stderr.write("\n");
  if (!o.quiet)
    print(
      `Results: ${r.dir}/results.csv, results.parquet, timing.csv, report.json, report.md${r.failed > 0 ? ` — ${r.failed} run(s) failed (see the error column)` : ""}`,
    );
  if (r.failed > 0) throw new ChecksFailed(`${r.failed} run(s) failed`);
}

/** `clustersim merge --out DIR SHARD_DIR...`: the shards' runs together, outputs as if unsharded. */
export async function mergeCommand(
  shardDirs: string[],
  o: { out: string; quiet?: boolean },
  print: (line: string) => void,
): Promise<void> {
  let r: Awaited<ReturnType<typeof mergeSweeps>>;
  try {
    r = await mergeSweeps(shardDirs, o.out);
  } catch (err) {
    throw userError(err);
  }
  if (!o.quiet) print(`Merged ${r.shards} shard(s): ${r.dir}/results.csv, timing.csv, report.json, report.md`);
  if (r.leftOut > 0 && !o.quiet)
    process.stderr.write(
      `clustersim: note: ${r.leftOut} saved run(s) in the shards were left out: not made from the inputs their shard's sweep.json records (left from an earlier sweep into it)\n`,
    );
  // Not complete: say why on stderr (even with --quiet), exit 1.
  const problems = [
    ...(r.missing > 0
      ? [`${r.missing} of ${r.runs} runs have no record in the shards given (a shard missing or unfinished?)`]
      : []),
    ...(r.failed > 0 ? [`${r.failed} of ${r.runs} runs failed (see results.csv)`] : []),
  ];
  if (problems.length > 0) {
    process.stderr.write(`clustersim: merge incomplete: ${problems.join("; ")}\n`);
    throw new ChecksFailed(problems.join("; "));
  }
}

function userError(err: unknown): unknown {
  return err instanceof SpecError || err instanceof InputError ? new UserError(err.message) : err;
}
