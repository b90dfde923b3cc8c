/**
 * bench/rl-networks: which network implementation trains RLScheduler's kernel networks faster, measured
 * on the work of one PPO epoch: full-batch gradient steps of the clipped policy loss and of the value
 * loss over decisions taken in the queue environment (Lublin-1, episodes of 256 jobs, a uniformly
 * random policy: the queues of an untrained agent). Peers: TensorFlow.js on its CPU backend and on its
 * WebAssembly backend (XNNPACK), batching states as padded [B, 128, 8] tensors with autodiff
 * (./tfjs-kernel.ts); ours: the typed-array MLP with hand-written backpropagation over the jobs shown
 * only (@clustersim/rl). They compute the same gradients, on both backends (bench/test/rl-networks-tfjs.test.ts). Reported: gradient steps per
 * second (one step = policy and value gradients over the whole batch) and our ratio to each peer.
 *
 * Usage: npm run -s bench:rl-networks -- [--json] [--episodes N] [--jobs N] [--steps N]
 * (--jobs: jobs per episode, default 256 as the paper trains; shorter episodes mean shorter queues)
 */
import { createRequire, register } from "node:module";
import { type DecisionBatch, KernelNetworks, policyGradient, queueEnvOf, valueGradient } from "@clustersim/rl";
import { loadQueueEnvConfig } from "@clustersim/scenarios";
import { RandomStreams } from "@clustersim/sim-core";
import { benchArgs } from "../lib/args.js";
import { table } from "../lib/format.js";

register(new URL("./tfjs-esm-hook.js", import.meta.url));
// TensorFlow.js's Node platform file, written for bundlers, calls require("util") from an ES module.
(globalThis as { require?: NodeJS.Require }).require = createRequire(import.meta.url);
const { paddedBatch, TfKernelNetworks, tf } = await import("./tfjs-kernel.js");
const { getThreadsCount } = await import("@tensorflow/tfjs-backend-wasm");

const { values } = benchArgs("rl-networks", {
  options: {
    json: { type: "boolean", default: false },
    episodes: { type: "string", default: "10" },
    jobs: { type: "string", default: "256" },
    steps: { type: "string", default: "5" },
  },
});
const episodes = Number(values.episodes);
const steps = Number(values.steps);
const ENV = new URL("../../../examples/rl/queue-lublin1.yaml", import.meta.url).pathname;

// Episodes of --jobs jobs, whatever the example file trains on.
const env = await queueEnvOf({ ...loadQueueEnvConfig(ENV), sequenceJobs: Number(values.jobs) });
const rng = new RandomStreams(1).get("bench-rl");
const states: { count: number; rows: Float32Array }[] = [];
const actions: number[] = [];
for (let e = 0; e < episodes; e++) {
  let { observation, info } = env.reset(e);
  for (;;) {
    const count = info.mask.indexOf(0) < 0 ? 128 : info.mask.indexOf(0);
    states.push({ count, rows: observation.slice(0, count * 8) });
    const a = Math.floor(rng.next() * count);
    actions.push(a);
    const r = env.step(a);
    if (r.terminated) break;
    observation = r.observation;
    info = r.info;
  }
}
const B = states.length;
const meanJobs = states.reduce((s, x) => s + x.count, 0) / B;

const nets = new KernelNetworks();
const params = nets.init(rng);
const ws = nets.workspace();
const rowAt = new Int32Array(B);
const rows = new Float32Array(states.reduce((s, x) => s + x.count * 8, 0));
let at = 0;
states.forEach((s, k) => {
  rowAt[k] = at;
  rows.set(s.rows, at);
  at += s.count * 8;
});
const logpOld = states.map((s, k) => nets.logProbs(params, s.rows, s.count, ws)[actions[k]!]! + 0.05);
const advantage = states.map(() => rng.normal(0, 1));
const returns = states.map(() => -100);
const batch: DecisionBatch = {
  size: B,
  count: Int32Array.from(states, (s) => s.count),
  rowAt,
  rows,
  action: Int32Array.from(actions),
  logpOld: Float64Array.from(logpOld),
  advantage: Float64Array.from(advantage),
  returns: Float64Array.from(returns),
};

function timeIt(f: () => void): number {
  f(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) f();
  return (performance.now() - t0) / 1000 / steps;
}

const grad = new Float64Array(nets.paramCount);
const oursS = timeIt(() => {
  policyGradient(nets, params, grad, batch, 0.2, ws);
  valueGradient(nets, params, grad, batch, ws);
});

/** One gradient step on TensorFlow.js's current backend: both losses' gradients, read out. */
function tfjsStepS(): number {
  const tfNets = new TfKernelNetworks(nets, params);
  const padded = paddedBatch(states, actions, logpOld, advantage, returns);
  const s = timeIt(() => {
    tf.tidy(() => {
      const p = tf.variableGrads(() => tfNets.policyLoss(padded, 0.2), tfNets.actorVariables);
      const v = tf.variableGrads(() => tfNets.valueLoss(padded), tfNets.criticVariables);
      // Read the gradients out, as an optimiser's update would use them.
      for (const g of [...Object.values(p.grads), ...Object.values(v.grads)]) g.dataSync();
    });
  });
  tf.disposeVariables();
  return s;
}

const tfS = tfjsStepS();
// The WebAssembly backend (XNNPACK), SIMD where the runtime has it; its threads need a browser's
// cross-origin isolation, so on Node it runs on one thread (the package's README).
await tf.setBackend("wasm");
const wasmSimd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
const wasmThreads = getThreadsCount();
const wasmS = tfjsStepS();

const result = {
  decisions: B,
  meanJobsShown: Number(meanJobs.toFixed(2)),
  oursStepsPerS: Number((1 / oursS).toFixed(3)),
  tfjsStepsPerS: Number((1 / tfS).toFixed(3)),
  tfjsWasmStepsPerS: Number((1 / wasmS).toFixed(3)),
  wasmSimd,
  wasmThreads,
  oursOverTfjs: Number((tfS / oursS).toFixed(2)),
  oursOverTfjsWasm: Number((wasmS / oursS).toFixed(2)),
};
if (values.json) console.log(JSON.stringify(result));
else {
  console.log(
    `One PPO gradient step (policy + value) over ${B} decisions (${meanJobs.toFixed(1)} jobs shown on average):`,
  );
  console.log(
    table(
      ["implementation", "peer", "steps/s", "s/step"],
      [
        ["typed arrays (ours)", "", (1 / oursS).toFixed(2), oursS.toFixed(3)],
        ["TensorFlow.js cpu", "peer", (1 / tfS).toFixed(2), tfS.toFixed(3)],
        [
          `TensorFlow.js wasm (${wasmSimd ? "SIMD" : "no SIMD"}, ${wasmThreads} thread${wasmThreads === 1 ? "" : "s"})`,
          "peer",
          (1 / wasmS).toFixed(2),
          wasmS.toFixed(3),
        ],
      ],
    ),
  );
  console.log(
    `ours / peer: ${result.oursOverTfjs}× the steps per second of the cpu backend, ${result.oursOverTfjsWasm}× of the wasm backend`,
  );
}
