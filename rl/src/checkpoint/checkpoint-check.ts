import { readFileSync, statSync } from "node:fs";
import type { Tensor } from "@clustersim/engine";
import { InputError } from "@clustersim/files";
import type { AgentNetworks } from "../networks/agent-networks.js";
import { KernelNetworks } from "../networks/kernel-networks.js";
import { PlacementNetworks } from "../networks/placement-networks.js";
import type { PlacementCheckpoint } from "../training/placement-checkpoint.js";
import type { RlCheckpoint } from "../training/ppo-trainer.js";
import { firstNonFinite, showValue, tensorElement, tensorSize, tensorsSize } from "./tensor-values.js";

/**
 * The one check every checkpoint read goes through (eval-rl, train-rl --resume, a scenario's
 * `scheduler.params.checkpoint`), and every checkpoint training writes. A checkpoint is JSON, so
 * anything can be in it: a file cut short, a number out of range (1e999 parses to Infinity), the
 * nulls JSON.stringify leaves for NaN, the other task's networks. Used unchecked, each of those still
 * gives a score (NaN weights rank every job alike), which is worse than no score. So each reader
 * states what it needs, and the check refuses anything else with the file, the field or tensor and
 * index, what was expected and what was found:
 * - kind: the networks named (`rlscheduler-kernel`: a queue agent; `placement-kernel`: a placement
 *   agent), agreeing with `task` where the file has one, and one the reader can run;
 * - shapes: the parameters, and each Adam moment and the best epoch's parameters when present, as
 *   many as those networks hold, the tensor where a short array ends named;
 * - values: every one of them a finite number;
 * - what the reader uses besides: the queue agent's normalisers, the environment it trained on
 *   (eval-rl, resume), the optimiser's state (resume).
 */

/** Which agent a checkpoint holds: RLScheduler's kernel networks (queue) or the placement networks. */
export type CheckpointKind = "queue" | "placement";

const NETWORKS: Record<CheckpointKind, string> = { queue: "rlscheduler-kernel", placement: "placement-kernel" };
const DESCRIBED: Record<CheckpointKind, string> = {
  queue: "a queue agent (networks: rlscheduler-kernel)",
  placement: "a placement agent (networks: placement-kernel)",
};

/** What a reader needs of a checkpoint. */
export interface CheckpointNeeds {
  /** The kinds of agent the reader can run. */
  kinds: readonly CheckpointKind[];
  /** The environment it trained on: env.trace (queue), env.pods, env.nodes and env.load (placement). */
  env?: boolean;
  /** The training's state, to resume: Adam's moments, the epoch, the curve and the settings. */
  training?: boolean;
}

export type CheckedCheckpoint =
  | { kind: "queue"; checkpoint: RlCheckpoint }
  | { kind: "placement"; checkpoint: PlacementCheckpoint };

/** The networks of a kind, whose tensors a checkpoint's parameters must fill. */
export function networksOf(kind: CheckpointKind): AgentNetworks {
  return kind === "queue" ? new KernelNetworks() : new PlacementNetworks(1);
}

/**
 * A checkpoint file's JSON, or an InputError saying what the file is instead (`where` names it in the
 * message; default: its path).
 */
export function readCheckpointJson(path: string, where = path): unknown {
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new InputError(`${where}: expected a checkpoint file, found a directory`);
    text = readFileSync(path, "utf8");
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const found = code === "ENOENT" ? "no such file" : `a file that cannot be read (${code ?? (err as Error).message})`;
    throw new InputError(`${where}: expected a checkpoint file (JSON), found ${found}`);
  }
  if (text.trim() === "") throw new InputError(`${where}: expected a checkpoint (JSON), found an empty file`);
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 quotes the start of the text, line ends and all: kept on one line, and short.
    const why = (err as Error).message.replaceAll("\n", "\\n").slice(0, 120);
    throw new InputError(`${where}: expected a checkpoint (JSON), found text that is not JSON (${why})`);
  }
}

/** A checkpoint file read and checked for a reader's needs (checkCheckpoint). */
export function loadCheckpoint(path: string, needs: CheckpointNeeds, where = path): CheckedCheckpoint {
  return checkCheckpoint(readCheckpointJson(path, where), where, needs);
}

/** A checkpoint's JSON checked for a reader's needs; an InputError naming `where` and the field if not. */
export function checkCheckpoint(json: unknown, where: string, needs: CheckpointNeeds): CheckedCheckpoint {
  const fail = (field: string, expected: string, found: string): never => {
    throw new InputError(`${where}: ${field}: expected ${expected}, found ${found}`);
  };
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new InputError(`${where}: expected a clustersim RL checkpoint (a JSON object), found ${showJson(json)}`);
  const c = json as Record<string, unknown>;
  if (c.format !== "clustersim-rl-checkpoint" || c.version !== 1)
    throw new InputError(
      `${where}: expected a clustersim RL checkpoint (format clustersim-rl-checkpoint, version 1), found format ${showJson(c.format)}, version ${showJson(c.version)}`,
    );
  const kind = (Object.keys(NETWORKS) as CheckpointKind[]).find((k) => NETWORKS[k] === c.networks);
  if (!kind)
    fail(
      "networks",
      '"rlscheduler-kernel" (a queue agent) or "placement-kernel" (a placement agent)',
      showJson(c.networks),
    );
  const k = kind as CheckpointKind;
  // `task` is what training wrote beside the networks; a file where the two disagree was edited.
  if (c.task !== undefined && c.task !== k)
    fail("task", `"${k}", as its networks (${NETWORKS[k]}) are`, showJson(c.task));
  if (!needs.kinds.includes(k))
    throw new InputError(
      `${where}: expected ${needs.kinds.map((x) => DESCRIBED[x]).join(" or ")}, found ${DESCRIBED[k]}`,
    );

  const nets = networksOf(k);
  const tensors = nets.tensors();
  const actor = tensors.filter((t) => t.offset < nets.actorParams);
  const critic = tensors.filter((t) => t.offset >= nets.actorParams);
  checkTensors(c.params, "params", tensors, where);
  if (c.best !== undefined) {
    const best = c.best as Record<string, unknown> | null;
    if (typeof best !== "object" || best === null) fail("best", "the best epoch's parameters", showJson(best));
    checkTensors(best!.params, "best.params", tensors, where);
  }
  if (c.adam !== undefined || needs.training) {
    const adam = c.adam as Record<string, Record<string, unknown> | undefined> | undefined;
    if (typeof adam !== "object" || adam === null)
      fail(
        "adam",
        "a training checkpoint (checkpoint.json, with the optimiser's state)",
        "an agent without it (agent.json?)",
      );
    for (const [part, covers] of [
      ["pi", actor],
      ["v", critic],
    ] as const) {
      const s = adam![part];
      if (typeof s !== "object" || s === null) fail(`adam.${part}`, "the optimiser's state", showJson(s));
      for (const moment of ["m", "v"] as const) checkTensors(s![moment], `adam.${part}.${moment}`, covers, where);
      if (!(typeof s!.lr === "number" && Number.isFinite(s!.lr) && s!.lr >= 0))
        fail(`adam.${part}.lr`, "a finite learning rate >= 0", showJson(s!.lr));
      if (!(Number.isSafeInteger(s!.step) && (s!.step as number) >= 0))
        fail(`adam.${part}.step`, "an integer >= 0", showJson(s!.step));
    }
  }
  if (needs.training) {
    if (!(Number.isSafeInteger(c.epoch) && (c.epoch as number) >= 0))
      fail("epoch", "the epochs trained, an integer >= 0", showJson(c.epoch));
    if (!Array.isArray(c.curve)) fail("curve", "the learning curve (an array)", showJson(c.curve));
    if (typeof c.train !== "object" || c.train === null) fail("train", "the training's settings", showJson(c.train));
  }
  if (k === "queue") {
    // A queue agent divides requested times by the training trace's longest run (kernelQueueScore).
    const n = c.normalisers as Record<string, unknown> | undefined;
    for (const f of ["maxExecS", "maxProcs"] as const) {
      const v = n?.[f];
      if (!(typeof v === "number" && Number.isFinite(v) && v > 0))
        fail(`normalisers.${f}`, "a finite number > 0", showJson(v));
    }
  }
  if (needs.env) checkEnv(c.env, k, fail);
  return { kind: k, checkpoint: json } as CheckedCheckpoint;
}

/** The environment a checkpoint trained on, as eval-rl and resume read it. */
function checkEnv(
  env: unknown,
  kind: CheckpointKind,
  fail: (field: string, expected: string, found: string) => never,
): void {
  if (typeof env !== "object" || env === null) fail("env", "the environment it trained on", showJson(env));
  const e = env as Record<string, unknown>;
  const path = (f: string) => {
    if (typeof e[f] !== "string" || e[f] === "")
      fail(`env.${f}`, "a path (relative to the checkpoint's folder)", showJson(e[f]));
  };
  if (kind === "queue") {
    path("trace");
    if (typeof e.backfill !== "boolean") fail("env.backfill", "true or false", showJson(e.backfill));
    if (!(Number.isSafeInteger(e.sequenceJobs) && (e.sequenceJobs as number) >= 2))
      fail("env.sequenceJobs", "an integer >= 2", showJson(e.sequenceJobs));
    if (e.reward !== "bsld" && e.reward !== "utilisation")
      fail("env.reward", '"bsld" or "utilisation"', showJson(e.reward));
    if (e.semantics !== undefined && e.semantics !== "engine")
      fail("env.semantics", '"engine" or absent (the paper\'s)', showJson(e.semantics));
    if (e.split !== undefined) checkSplit(e.split, fail);
    return;
  }
  path("pods");
  path("nodes");
  if (!(typeof e.load === "number" && e.load > 0 && e.load <= 10))
    fail("env.load", "a share of the cluster's GPUs in (0, 10]", showJson(e.load));
  if (!(Number.isSafeInteger(e.nodesPerEpisode) && (e.nodesPerEpisode as number) >= 0))
    fail("env.nodesPerEpisode", "an integer >= 0", showJson(e.nodesPerEpisode));
}

/** A queue checkpoint's temporal split (env.split): whole window counts and jobs per window. */
function checkSplit(split: unknown, fail: (field: string, expected: string, found: string) => never): void {
  if (typeof split !== "object" || split === null || Array.isArray(split))
    fail("env.split", "the split trained under ({ validationWindows, testWindows, windowJobs })", showJson(split));
  const s = split as Record<string, unknown>;
  for (const [f, least] of [
    ["validationWindows", 1],
    ["testWindows", 1],
    ["windowJobs", 2],
  ] as const)
    if (!(Number.isSafeInteger(s[f]) && (s[f] as number) >= least))
      fail(`env.split.${f}`, `an integer >= ${least}`, showJson(s[f]));
}

/**
 * A flat array that must fill `tensors` exactly with finite numbers: the count first (naming the
 * tensor where a short array ends, or how far a long one runs past the last), then every value.
 */
function checkTensors(values: unknown, field: string, tensors: readonly Tensor[], where: string): void {
  const expected = tensorsSize(tensors);
  const layout = describeLayout(tensors);
  if (!Array.isArray(values))
    throw new InputError(`${where}: ${field}: expected ${expected} numbers (${layout}), found ${showJson(values)}`);
  const base = tensors[0]!.offset;
  if (values.length !== expected) {
    const at =
      values.length < expected
        ? `: it ends inside ${shortTensor(tensors, base + values.length)}`
        : `: ${values.length - expected} past the last tensor, ${tensors.at(-1)!.name}`;
    throw new InputError(`${where}: ${field}: expected ${expected} numbers (${layout}), found ${values.length}${at}`);
  }
  const bad = firstNonFinite(values);
  if (bad) {
    const more = bad.count > 1 ? ` (and ${bad.count - 1} more of the ${expected} are not finite)` : "";
    throw new InputError(
      `${where}: ${field}[${bad.index}] (${tensorElement(tensors, base + bad.index)}): expected a finite number, found ${showValue(bad.value)}${more}`,
    );
  }
}

/** The tensor holding flat index i, and how many of its values an array ending there has. */
function shortTensor(tensors: readonly Tensor[], i: number): string {
  const t = tensors.find((x) => i >= x.offset && i < x.offset + tensorSize(x))!;
  return `${t.name} (${i - t.offset} of its ${tensorSize(t)} values)`;
}

/** The networks' layers by name, e.g. "actor 8-32-16-8-1: 961". */
function describeLayout(tensors: readonly Tensor[]): string {
  const nets = new Map<string, { sizes: number[]; count: number }>();
  for (const t of tensors) {
    const net = t.name.slice(0, t.name.lastIndexOf(".layer"));
    const n = nets.get(net) ?? { sizes: [], count: 0 };
    if (t.shape.length === 2) {
      if (n.sizes.length === 0) n.sizes.push(t.shape[1]!);
      n.sizes.push(t.shape[0]!);
    }
    n.count += tensorSize(t);
    nets.set(net, n);
  }
  return [...nets].map(([name, n]) => `${name} ${n.sizes.join("-")}: ${n.count}`).join(", ");
}

/** A JSON value, short, for a message. */
function showJson(v: unknown): string {
  if (v === undefined) return "none";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
