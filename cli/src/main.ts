import { Command, CommanderError, Option } from "commander";
import { FORMAT_HELP } from "./commands/trace-formats.js";
import { ChecksFailed, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, UserError } from "./errors.js";
import { TOOL_VERSION } from "./version.js";

/** Build the `clustersim` command tree. Output goes through `print` so tests can capture it. */
/**
 * Each command's module is loaded when the command runs, not at start-up: `--version` and `--help`
 * stay instant, and no command pays for another's dependencies (parquet-wasm, the TypeScript loader).
 */
const commands = {
  repro: () => import("./commands/repro.js"),
  run: () => import("./commands/run.js"),
  runScenario: () => import("./commands/run-scenario.js"),
  scenarioFiles: () => import("./commands/scenario-files.js"),
  schedulers: () => import("./commands/schedulers.js"),
  search: () => import("./commands/search.js"),
  sweep: () => import("./commands/sweep.js"),
  traceStats: () => import("./commands/trace-stats.js"),
  view: () => import("./commands/view.js"),
  env: () => import("./commands/env-serve.js"),
  trainRl: () => import("./commands/train-rl.js"),
  evalRl: () => import("./commands/eval-rl.js"),
};

export function buildProgram(print: (line: string) => void): Command {
  const program = new Command("clustersim")
    .description("Discrete-event simulator of cluster scheduling on disaggregated hardware.")
    .version(TOOL_VERSION, "-V, --version", "print the version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();

  addRunCommands(program, print);
  addSweepCommands(program, print);
  addRlCommands(program, print);
  addViewCommand(program, print);
  addReproCommands(program, print);
  return program;
}

/** Run the command line; returns the process exit code. Bad input exits 2 with one clear line. */
export async function main(argv: string[]): Promise<number> {
  // A reader that stops early (`| head`) is not an error.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const program = buildProgram(print);
  try {
    await program.parseAsync(argv);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed its own message (or the help or version text).
      return err.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
    }
    if (err instanceof ChecksFailed) return EXIT_FAILURE;
    // rl's InputError (e.g. an unwritable --out) is bad input too.
    if (err instanceof UserError || (err instanceof Error && err.name === "InputError")) {
      process.stderr.write(`clustersim: ${err.message}\n`);
      return EXIT_BAD_INPUT;
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOSPC" || code === "EDQUOT") {
      // Not a defect: the disk is full. Results are written under temporary names and committed as one
      // set, so earlier results stay as they were and the partial files are removed at the next run.
      const path = (err as NodeJS.ErrnoException).path;
      process.stderr.write(
        `clustersim: no space left on the device${path ? ` writing ${path}` : ""} (${code}): free some space and run again; earlier results were left as they were\n`,
      );
      return EXIT_FAILURE;
    }
    const message = err instanceof Error ? err.message : String(err);
    if (/Cannot allocate Wasm memory/.test(message)) {
      // Not a defect either: V8 reserves about 10 GiB of address space per WebAssembly memory (the Parquet
      // writer's) and a limit on virtual memory (ulimit -v) refuses it.
      process.stderr.write(
        "clustersim: out of address space for WebAssembly (the Parquet writer): a limit on virtual memory (ulimit -v) is below what V8 reserves; raise it to 16 GiB, or to 8 GiB with NODE_OPTIONS=--disable-wasm-trap-handler\n",
      );
      return EXIT_FAILURE;
    }
    process.stderr.write(`clustersim: internal error: ${message}\n`);
    if (process.env.CLUSTERSIM_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    else process.stderr.write("(set CLUSTERSIM_DEBUG=1 to see where it happened)\n");
    return EXIT_FAILURE;
  }
}

/** Running scenarios and reading scenario and trace files: run, trace-stats, validate, schema, schedulers, workload. */
function addRunCommands(program: Command, print: (line: string) => void): void {
  program
    .command("run")
    .description(
      "run a scenario file end to end (summary.json, timing.json, tasks and time series as CSV and Parquet, decisions, replay), or without one the " +
        "built-in default scenario (a 32-node cluster with Poisson arrivals, checked against Erlang C)",
    )
    .argument("[scenario]", "a scenario file (YAML or JSON); none: the built-in scenario")
    .option("-o, --out <dir>", "directory for the results (default: results/default, or results/NAME for a scenario)")
    .option("-s, --seed <n>", "seed of every random stream (default: 1, or the scenario's)")
    .addOption(
      new Option(
        "--set <key=value>",
        "override a parameter: the built-in scenario's (nodes, utilisation, meanRunS, durationS, warmupS) or a scenario field by path (workloads.0.ratePerS=2; =null removes it); repeatable",
      )
        .argParser((value: string, previous: string[]) => [...previous, value])
        .default([]),
    )
    .option(
      "--check",
      "check the run's invariants after every event (a scenario file; slower), and stop at a violation",
    )
    .option(
      "--plugin-time-limit <seconds>",
      "seconds a plug-in may take to load, and each event of a run with plug-ins; beyond it the run stops, naming the plug-in and the task (default: 10)",
    )
    .option(
      "--plugin-heap-limit <MiB>",
      "heap a run with plug-ins may use (the run's thread, plug-ins included); beyond it the run stops with no results written (default: 4096)",
    )
    .option("-q, --quiet", "print nothing")
    .action(async (scenario: string | undefined, options) =>
      scenario === undefined
        ? (await commands.run()).runCommand(
            { ...options, out: options.out ?? "results/default", seed: options.seed ?? "1" },
            print,
          )
        : (await commands.runScenario()).runScenarioCommand(scenario, options, print),
    );

  program
    .command("trace-stats")
    .description(
      "stream a trace once and print one JSON object: records, firstS, lastS, and per resource the total, mean and max of requests",
    )
    .argument("<file>", "the trace file (for azure-functions: its directory or invocations file)")
    .requiredOption("-f, --format <format>", "the trace format (see below)")
    .option("--skip-bad-lines", "drop and count lines that do not parse, instead of stopping at the first")
    .addHelpText("after", `\nFormats:\n${FORMAT_HELP}`)
    .action(async (file: string, options) => (await commands.traceStats()).traceStatsCommand(file, options, print));

  program
    .command("validate")
    .description(
      "check a scenario file (YAML or JSON) as run does before its first event: the files it names read, plug-ins loaded, the run assembled; every problem with file, line and field",
    )
    .argument("<scenario>", "the scenario file")
    .option(
      "--plugin-time-limit <seconds>",
      "seconds a plug-in may take to load, and each event of a run with plug-ins; beyond it the run stops, naming the plug-in and the task (default: 10)",
    )
    .action(async (file: string, options) => (await commands.scenarioFiles()).validateCommand(file, print, options));

  program
    .command("schema")
    .description("print the JSON Schema of scenario files, or with --sweep of sweep files (for editors)")
    .option("--sweep", "the schema of sweep files instead")
    .action(async (options) => (await commands.scenarioFiles()).schemaCommand(print, options));

  program
    .command("schedulers")
    .description("list every registered placement strategy and batch queue policy with its parameters and defaults")
    .option("--json", "print JSON")
    .action(async (options) => (await commands.schedulers()).schedulersCommand(options, print));

  program
    .command("workload")
    .description("print a scenario's workload, merged and transformed, as CSV (one task per line)")
    .argument("<scenario>", "the scenario file")
    .option("-n, --limit <n>", "print at most n tasks")
    .option("-s, --seed <n>", "override the scenario's seed")
    .action(async (file: string, options) => (await commands.scenarioFiles()).workloadCommand(file, options, print));
}

/** Sweeps: sweep, merge of shards, and the capacity search. */
function addSweepCommands(program: Command, print: (line: string) => void): void {
  program
    .command("sweep")
    .description(
      "run every combination of a sweep file's scenarios, schedulers, parameter values and seeds on worker threads; results.csv, timing.csv, report.json, report.md with confidence intervals",
    )
    .argument("<sweep>", "the sweep file (YAML or JSON)")
    .option("-o, --out <dir>", "directory for the results (default: results/NAME); rerunning into it resumes")
    .option("-w, --workers <n>", "worker threads", "1")
    .option(
      "--shard <i/N>",
      "run every N-th run starting at i (default: from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX with CLUSTERSIM_SHARDS)",
    )
    .option("--measure-memory", "collect garbage after each run, so that timing.csv's workerHeapMiB is the live heap")
    .option(
      "--oversubscribe",
      "keep more --workers than the machine has cores (by default they are capped at the core count)",
    )
    .option(
      "--run-timeout <seconds>",
      'stop a run that takes longer (its worker thread is replaced) and record it as failed, "timed out after N s"; the other runs go on, and the exit code is 1 (default: no limit)',
    )
    .option(
      "--plugin-time-limit <seconds>",
      "seconds a plug-in may take to load, and each event of a run with plug-ins; beyond it the run stops, naming the plug-in and the task (default: 10)",
    )
    .option(
      "--start-over",
      "replace what another sweep (another sweep file) wrote into --out: its sweep.json, saved runs and outputs (without it such a directory is refused)",
    )
    .option("-q, --quiet", "print nothing")
    .action(async (file: string, options) => (await commands.sweep()).sweepCommand(file, options, print));

  program
    .command("search")
    .description(
      "capacity search: the smallest value of a scenario field (--vary) from --min to --max that meets an objective over seeds, by bisection " +
        "(assuming a larger value never does worse), the seeds' runs on worker threads; prints the answer, the runs it took, the boundary " +
        "and the cost; search.json and each run's result in --out. Exit 0 with an answer, 1 when --max fails the objective or a run fails",
    )
    .argument("<scenario>", "the scenario file")
    .requiredOption("--vary <path>", "the scenario field varied, a path as --set takes it (cluster.nodeGroups.0.count)")
    .requiredOption("--min <n>", "the smallest value tried")
    .requiredOption("--max <n>", "the largest value tried")
    .option("--step <n>", "distance between values (default: 1; needed when --min or --max is not whole)")
    .requiredOption(
      "--objective <expr>",
      'summary.json metrics compared with numbers, joined by "and": "services.*.sloAttainment >= 0.999 and cost <= 20"; ' +
        "a path's * is every key at its level (every service); comparisons >=, <=, >, < (or ≥, ≤)",
    )
    .option("--seeds <n|list>", "seeds run at every value, the same at each: a count (1 to n) or a list (1,5,9)", "3")
    .option(
      "--confidence <p>",
      "a value meets a comparison when the one-sided Student-t bound over seeds at this confidence (lower for >=, upper for <=) does",
      "0.95",
    )
    .addOption(
      new Option("--set <path=value>", "override a scenario field at every value (repeatable)")
        .argParser((value: string, previous: string[]) => [...previous, value])
        .default([]),
    )
    .option(
      "-o, --out <dir>",
      "directory for search.json and the runs (default: results/search-NAME); rerunning into it reuses the runs",
    )
    .option("-w, --workers <n>", "worker threads; beyond the seeds, several values are tried at once", "1")
    .option("--oversubscribe", "keep more --workers than the machine has cores")
    .option(
      "--run-timeout <seconds>",
      "stop a run that takes longer and record it as failed; the search then stops (exit 1) (default: no limit)",
    )
    .option(
      "--plugin-time-limit <seconds>",
      "seconds a plug-in may take to load, and each event of a run with plug-ins (default: 10)",
    )
    .option("-q, --quiet", "print nothing but a failure")
    .action(async (file: string, options) => (await commands.search()).searchCommand(file, options, print));

  program
    .command("merge")
    .description("combine the output directories of a sharded sweep into the outputs of the whole sweep")
    .argument("<shards...>", "the shards' output directories")
    .requiredOption("-o, --out <dir>", "directory for the merged results")
    .option("-q, --quiet", "print nothing")
    .action(async (shards: string[], options) => (await commands.sweep()).mergeCommand(shards, options, print));
}

/** Reinforcement learning: train-rl, eval-rl, and env serve. */
function addRlCommands(program: Command, print: (line: string) => void): void {
  program
    .command("train-rl")
    .description(
      "train an agent by PPO on an RL environment file's environment (queue: RLScheduler's kernel networks; packing: the placement networks): checkpoint.json, curve.csv, curve.svg after every epoch",
    )
    .argument("<file>", "an RL environment file (env: queue or env: packing) with its train: settings")
    .option("-o, --out <dir>", "directory for the results (default: results/rl-NAME)")
    .option("--resume <checkpoint>", "continue from a checkpoint written by an earlier training of the same file")
    .option("--epochs <n>", "train until this many epochs in all (default: the file's train.epochs)")
    .option(
      "--seed <n>",
      "the training seed (default: the file's train.seed; the default output folder then ends in -seedN)",
    )
    .option(
      "-w, --workers <n>",
      "worker threads for episodes and gradients (default: the file's train.workers; the checkpoint does not depend on it)",
    )
    .option("-q, --quiet", "print nothing")
    .action(async (file: string, options) => (await commands.trainRl()).trainRlCommand(file, options, print));

  program
    .command("eval-rl")
    .description(
      "trained agents (train-rl checkpoints) against the heuristics: queue agents on the RLScheduler paper's ten windows of 1,024 jobs, without and with EASY backfilling; placement agents under FGD's protocol (GPU allocation at 130% load, seeds 42 on)",
    )
    .argument("<checkpoints...>", "checkpoint files")
    .option(
      "-t, --trace <file>",
      "an SWF trace to evaluate queue agents on (repeatable; default: the trace each checkpoint trained on)",
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .option(
      "-p, --pods <file>",
      "an openb pod list to evaluate placement agents on (repeatable; default: openb_pod_list_default.csv beside the training list)",
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .option(
      "-n, --nodes <file>",
      "the openb node list for placement agents (default: the training's, relative to the checkpoint)",
    )
    .option("--seeds <n>", "placement: seeds 42, 43, … to average over (default: 10)")
    .option(
      "--starts <list>",
      "queue: the first job of each window of 1,024 to evaluate on, comma-separated (default: see --windows)",
    )
    .option(
      "--windows <kind>",
      "queue: published (the paper's ten), test (the split's test windows: the default when every agent trained under a split; otherwise published) or tiled (back-to-back windows over the whole trace)",
    )
    .option(
      "--pool <name>",
      "queue: the checkpoints are training seeds of one agent: also report them pooled under this name, with 95% intervals over seeds × windows",
    )
    .option(
      "--json",
      "print one JSON array of { task, trace, policy, metric, value } (queue: with low and high, the 95% interval over the windows; and each agent's paired difference against each heuristic)",
    )
    .action(async (files: string[], options) => (await commands.evalRl()).evalRlCommand(files, options, print));

  program
    .command("env")
    .description("reinforcement-learning environments over the simulator")
    .command("serve")
    .description(
      "serve an environment as JSON lines on stdin and stdout ({reset}, {step}, {spaces}), for agents in any language (examples/rl/clustersim_env.py): pod placement over a scenario, or an RL environment file: batch job selection (env: queue) or GPU placement under FGD's protocol (env: packing)",
    )
    .argument("<file>", "a scenario (its cluster and workload make each episode) or an RL environment file")
    .option(
      "--set <path=value>",
      "override a scenario field (repeatable; placement only)",
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .option("--max-steps <n>", "cut an episode short after this many steps (placement only)")
    .action(async (file: string, options) => (await commands.env()).envServeCommand(file, options));
}

/** The viewer on a run's replay. */
function addViewCommand(program: Command, print: (line: string) => void): void {
  program
    .command("view")
    .description(
      "replay runs in the browser: serves the viewer and the runs' replay files on 127.0.0.1 and prints the URL (two runs side by side)",
    )
    .argument("<runs...>", "one or two run directories holding replay.jsonl (outputs.replay: true)")
    .option("-p, --port <port>", "the port to listen on (default: a free one)")
    .action(async (dirs: string[], options) => (await commands.view()).viewCommand(dirs, options, print));
}

/** Reproductions of published results: repro rlscheduler, repro fgd. */
function addReproCommands(program: Command, print: (line: string) => void): void {
  const repro = program
    .command("repro")
    .description("reproduce published results: RLScheduler (SC'20) batch baselines, FGD (ATC'23) GPU placement");
  repro
    .command("rlscheduler")
    .description(
      "average bounded slowdown and utilisation of FCFS, WFP3, UNI, SJF and F1, without and with EASY backfilling, under the RLScheduler protocol",
    )
    .option("-t, --trace <file>", "an SWF trace (.swf or .swf.gz)")
    .option("--windows <n>", "number of windows", "10")
    .option("--window-jobs <n>", "jobs per window", "1024")
    .option(
      "--starts <list>",
      "window starts as comma-separated job indices (default: the published ones where they fit)",
    )
    .option(
      "--semantics <which>",
      "compat: the original environment's, which reproduces the tables; default: clustersim's own batch run",
      "compat",
    )
    .option(
      "--published",
      "run Lublin-1 and Lublin-2 from the shared traces and compare with the published tables; exit 1 when a cell differs",
    )
    .option("--json", "print JSON")
    .action(async (options) => (await commands.repro()).reproRlCommand(options, print));
  repro
    .command("fgd")
    .description(
      "GPU allocation and fragmentation at 100% and 130% arrived load for Random, DotProd, GpuClustering, GpuPacking, BestFit and FGD",
    )
    .option("-p, --pods <file>", "an openb pod list (CSV)")
    .option("-n, --nodes <file>", "an openb node list (default: the shared openb_node_list_gpu_node.csv)")
    .option("--seeds <n>", "number of seeds (42, 43, ...)", "10")
    .option("--tie-break <how>", "equally scored nodes: first in node order (the artifact's way) or random", "first")
    .option("-w, --workers <n>", "worker threads running seeds in parallel (results do not depend on it)", "2")
    .option(
      "--published",
      "run the default pod list and compare with the published means; exit 1 when a value is off by more than 1 point or the ranking differs",
    )
    .option("--json", "print JSON")
    .action(async (options) => (await commands.repro()).reproFgdCommand(options, print));
}
