import { type RandomStreams, type Rng, WeightedChoice } from "@clustersim/sim-core";
import { type Task, task } from "../tasks/task.js";
import { type DistSpec, type Sampler, sampler } from "./distributions.js";
import { RateCurve, type RateSpec, thinnedArrivals } from "./rate-curves.js";

/**
 * Synthetic workloads. Every generator draws from named streams of the scenario seed
 * (`<name>/arrivals`, `<name>/sizes`, …), so adding a workload never changes another's tasks.
 */

/** What each generated task asks for; every field a distribution or a constant. */
export interface TaskTemplate {
  runS: DistSpec;
  cpuMilli: DistSpec;
  memoryMiB: DistSpec;
  gpus?: DistSpec;
  gpuMilli?: DistSpec;
  procs?: DistSpec;
  nicGbps?: DistSpec;
  syscallsPerCpuS?: DistSpec;
  priority?: number;
  runtime?: string;
  app?: string;
  tolerations?: Task["tolerations"];
  nodeSelector?: Task["nodeSelector"];
}

class TemplateSampler {
  private readonly run: Sampler;
  private readonly cpu: Sampler;
  private readonly mem: Sampler;
  private readonly gpus: Sampler;
  private readonly gpuMilli: Sampler;
  private readonly procs: Sampler;
  private readonly nic: Sampler | undefined;
  private readonly syscalls: Sampler | undefined;

  constructor(private readonly t: TaskTemplate) {
    this.run = sampler(t.runS);
    this.cpu = sampler(t.cpuMilli);
    this.mem = sampler(t.memoryMiB);
    this.gpus = sampler(t.gpus ?? 0);
    this.gpuMilli = sampler(t.gpuMilli ?? 1000);
    this.procs = sampler(t.procs ?? 1);
    this.nic = t.nicGbps === undefined ? undefined : sampler(t.nicGbps);
    this.syscalls = t.syscallsPerCpuS === undefined ? undefined : sampler(t.syscallsPerCpuS);
  }

  /** Sizes are drawn in a fixed order from one stream, so a task's sizes do not depend on its arrival time. */
  make(arrivalS: number, rng: Rng): Task {
    const gpus = Math.max(0, Math.round(this.gpus(rng)));
    return task({
      arrivalS,
      runS: Math.max(0, this.run(rng)),
      // Whole millicores and MiB, rounded up, as the cluster books them.
      cpuMilli: Math.max(0, Math.ceil(this.cpu(rng))),
      memoryMiB: Math.max(0, Math.ceil(this.mem(rng))),
      gpus,
      gpuMilli: gpus > 0 ? Math.min(1000, Math.max(1, Math.round(this.gpuMilli(rng)))) : 0,
      procs: Math.max(1, Math.round(this.procs(rng))),
      // Drawn last, and only when asked for, so that adding it leaves every other draw as it was.
      nicGbps: this.nic ? Math.max(0, this.nic(rng)) : 0,
      // Likewise drawn after everything else, only when asked for.
      syscallsPerCpuS: this.syscalls ? Math.max(0, this.syscalls(rng)) : 0,
      priority: this.t.priority ?? 0,
      runtime: this.t.runtime ?? "",
      app: this.t.app ?? "",
      // Shared, not copied: every task of the template points at the same (read-only) objects.
      ...(this.t.tolerations && { tolerations: this.t.tolerations }),
      ...(this.t.nodeSelector && { nodeSelector: this.t.nodeSelector }),
    });
  }
}

export interface Window {
  startS: number;
  endS: number;
}

/** Tasks arriving by a (non-homogeneous) Poisson process with the given rate curve. */
export function* rateCurveWorkload(
  name: string,
  rate: readonly RateSpec[],
  template: TaskTemplate,
  streams: RandomStreams,
  w: Window,
): Generator<Task> {
  const sizes = new TemplateSampler(template);
  const sizeRng = streams.get(`${name}/sizes`);
  for (const t of thinnedArrivals(new RateCurve(rate), streams.get(`${name}/arrivals`), w.startS, w.endS))
    yield sizes.make(t, sizeRng);
}

/** Poisson arrivals at a constant rate. */
export function poissonWorkload(
  name: string,
  ratePerS: number,
  template: TaskTemplate,
  streams: RandomStreams,
  w: Window,
): Generator<Task> {
  return rateCurveWorkload(name, [{ type: "constant", ratePerS }], template, streams, w);
}

/**
 * Bursty arrivals: a Markov-modulated Poisson process. The process stays in state i for an
 * exponential time of mean `meanDurationS`, arriving at `ratePerS`, then moves to the next state
 * (cyclically), or by `transitions[i]` weights when given.
 */
export interface MmppState {
  ratePerS: number;
  meanDurationS: number;
}

export function* mmppWorkload(
  name: string,
  states: readonly MmppState[],
  transitions: readonly number[][] | undefined,
  template: TaskTemplate,
  streams: RandomStreams,
  w: Window,
): Generator<Task> {
  const arrivals = streams.get(`${name}/arrivals`);
  const switching = streams.get(`${name}/states`);
  const sizeRng = streams.get(`${name}/sizes`);
  const sizes = new TemplateSampler(template);
  const next = transitions?.map((row) => new WeightedChoice(row));
  let state = 0;
  let t = w.startS;
  while (t < w.endS) {
    const leave = Math.min(w.endS, t + switching.exponential(1 / states[state].meanDurationS));
    const rate = states[state].ratePerS;
    if (rate > 0) {
      for (let a = t + arrivals.exponential(rate); a < leave; a += arrivals.exponential(rate))
        yield sizes.make(a, sizeRng);
    }
    t = leave;
    state = next ? next[state].sample(switching) : (state + 1) % states.length;
  }
}

/**
 * Serverless functions with the skew of Azure Functions 2019 (Shahrad et al., ATC'20; CALIBRATION.md,
 * "Sandbox runtimes and cold starts"):
 *   - invocation rate per function, log-normal: fitted here to the paper's two rate quantiles, 45% of
 *     apps invoked at most once an hour and 81% at most once a minute, which gives log10(rate per
 *     minute) ~ N(−1.555, 1.772²). The fit then puts 99.9% of invocations in the top 18.6% of
 *     functions (paper: 99.6%), a check that the one distribution carries the published skew.
 *     Applying app-level figures to functions is an assumption.
 *   - average run time per function, log-normal with log-mean −0.38 and σ 2.36 (seconds): the paper's fit.
 *   - memory per function, log-normal with median 170 MiB and 90th percentile 400 MiB (σ = 0.668): the
 *     paper's "50% ≤ 170 MB, 90% ≤ 400 MB".
 *   - each invocation runs for an exponential time around its function's average: an assumption.
 * `scaleToInvocationsPerS` rescales all rates to a total (e.g. to fit a small cluster); `rate`
 * modulates them over time (diurnal, surge).
 */
export interface FunctionsSpec {
  functions: number;
  /** CPU of each invocation: the trace has none, so this is the scenario's assumption (default one core). */
  cpuMilli?: number;
  scaleToInvocationsPerS?: number;
  rate?: RateSpec[];
  runtime?: string;
  /** System calls per CPU-second of every invocation (default 0: compute-bound). */
  syscallsPerCpuS?: number;
}

export const AZURE_2019_FIT = Object.freeze({
  log10RatePerMinMu: -1.555,
  log10RatePerMinSigma: 1.772,
  runLogMean: -0.38,
  runLogSigma: 2.36,
  memoryMedianMiB: 170,
  memorySigma: Math.log(400 / 170) / 1.2816,
});

export function* functionsWorkload(
  name: string,
  spec: FunctionsSpec,
  streams: RandomStreams,
  w: Window,
): Generator<Task> {
  const setup = streams.get(`${name}/functions`);
  const n = spec.functions;
  const rates = new Array<number>(n);
  const meanRun = new Float64Array(n);
  const memory = new Float64Array(n);
  const fit = AZURE_2019_FIT;
  for (let i = 0; i < n; i++) {
    rates[i] = 10 ** setup.normal(fit.log10RatePerMinMu, fit.log10RatePerMinSigma) / 60;
    meanRun[i] = setup.lognormal(fit.runLogMean, fit.runLogSigma);
    memory[i] = setup.lognormal(Math.log(fit.memoryMedianMiB), fit.memorySigma);
  }
  const total = rates.reduce((a, b) => a + b, 0);
  const scale = spec.scaleToInvocationsPerS ? spec.scaleToInvocationsPerS / total : 1;
  const pick = new WeightedChoice(rates);
  const curve = [{ type: "constant" as const, ratePerS: total * scale }, ...(spec.rate ?? [])];
  const which = streams.get(`${name}/which`);
  const runs = streams.get(`${name}/runs`);
  for (const t of thinnedArrivals(new RateCurve(curve), streams.get(`${name}/arrivals`), w.startS, w.endS)) {
    const f = pick.sample(which);
    yield task({
      arrivalS: t,
      runS: runs.exponential(1 / meanRun[f]),
      memoryMiB: Math.ceil(memory[f]),
      cpuMilli: Math.ceil(spec.cpuMilli ?? 1000),
      app: `fn-${f}`,
      runtime: spec.runtime ?? "",
      syscallsPerCpuS: spec.syscallsPerCpuS ?? 0,
    });
  }
}
