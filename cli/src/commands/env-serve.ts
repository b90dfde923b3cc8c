import { dirname } from "node:path";
import {
  type Episode,
  fgdPackingEnv,
  foundValue,
  InputError,
  PLACEMENT_FEATURES,
  PLACEMENT_STATE,
  PlacementEnv,
  packingChoices,
  queueEnvOf,
  readFgdData,
} from "@clustersim/rl";
import { composeCluster, composeWorkload, isEnvConfigFile, loadRlEnvConfig, SpecError } from "@clustersim/scenarios";
import { type Task, TraceError } from "@clustersim/workloads";
import { UserError } from "../errors.js";
import { boundedLines, MAX_LINE_BYTES } from "./bounded-lines.js";
import { readScenario } from "./scenario-files.js";

/** Tasks an episode may hold (they are read into memory at reset). */
const MAX_TASKS = 1_000_000;

/**
 * An episode of a scenario for a seed: its cluster, composed afresh, and its workload's tasks for that
 * seed, read into memory (the environment steps synchronously).
 */
export async function scenarioEpisode(file: string, set: string[], seed: number): Promise<Episode> {
  const spec = readScenario(file, set);
  const cluster = await composeCluster(spec, dirname(file));
  const tasks: Task[] = [];
  for await (const t of composeWorkload(spec, { baseDir: dirname(file), seed })) {
    tasks.push(t);
    if (tasks.length > MAX_TASKS) {
      throw new SpecError([`${file}: expected at most ${MAX_TASKS} tasks in an environment's episode, found more`]);
    }
  }
  return { cluster: cluster.state, tasks, untilS: spec.duration };
}

/** What the protocol needs of an environment: Gymnasium's reset and step, and its spaces. */
interface ServedEnv {
  reset(seed: number): Promise<Reply>;
  step(action: number): Reply;
  spaces(): { observationSize: number; actions: number };
}

type Reply = {
  observation: Float32Array;
  info: { mask: Uint8Array; candidates?: Int32Array };
  reward?: number;
  terminated?: boolean;
  truncated?: boolean;
};

/**
 * The placement environment over a scenario: each reset composes the seed's cluster and tasks afresh.
 * The cluster is composed once before serving too: its node count fixes the spaces, which a client
 * asks for before its first reset (the Python client does, to size its arrays).
 */
async function placementEnv(file: string, set: string[], maxSteps: number | undefined): Promise<ServedEnv> {
  const spec = readScenario(file, set); // bad input is refused before serving
  let nodes: number;
  try {
    nodes = (await composeCluster(spec, dirname(file))).state.nodeCount;
  } catch (err) {
    if (err instanceof SpecError || err instanceof TraceError || err instanceof InputError)
      throw new UserError(err.message);
    throw err;
  }
  let next: Episode | undefined;
  const env = new PlacementEnv({
    episode: () => {
      if (!next) throw new Error("no episode prepared");
      return next;
    },
    maxSteps,
  });
  return {
    async reset(seed) {
      next = await scenarioEpisode(file, set, seed);
      return env.reset(seed);
    },
    step: (action) => env.step(action),
    // Before the first reset the environment has no cluster yet: the one composed above has its size.
    spaces: () => {
      const n = next ? env.nodeCount : nodes;
      return { observationSize: 3 * n + 3, actions: n + 1 };
    },
  };
}

/**
 * The environment of an RL environment file: the queue (`env: queue`; `start` in a reset picks the
 * window) or GPU placement under FGD's protocol (`env: packing`).
 */
async function fileEnv(file: string): Promise<ServedEnv & { resetAt?(seed: number, start?: number): Reply }> {
  try {
    const c = loadRlEnvConfig(file);
    if (c.env === "packing") {
      const data = await readFgdData(c.podsPath, c.nodesPath);
      const env = fgdPackingEnv(data, c.load, c.nodesPerEpisode);
      // Every episode has the same number of nodes: the file's nodesPerEpisode, or the whole list.
      const nodes = packingChoices(c, data.nodes.length);
      return {
        reset: async (seed) => env.reset(seed),
        step: (action) => env.step(action),
        spaces: () => ({ observationSize: nodes * PLACEMENT_FEATURES + PLACEMENT_STATE, actions: nodes }),
      };
    }
    const env = await queueEnvOf(c, file);
    const resetAt = (seed: number, start?: number) => env.reset(seed, start);
    return {
      resetAt,
      reset: async (seed) => resetAt(seed),
      step: (action) => env.step(action),
      spaces: () => ({ observationSize: env.observationSize, actions: env.actionCount }),
    };
  } catch (err) {
    if (err instanceof SpecError || err instanceof InputError) throw new UserError(err.message);
    throw err;
  }
}

/**
 * `clustersim env serve FILE`: an environment over JSON lines on stdin and stdout, for agents in any
 * language (examples/rl/clustersim_env.py). FILE is a scenario (the placement environment) or an RL
 * environment file: `env: queue` (the queue environment) or `env: packing` (GPU placement under FGD's
 * protocol). Requests, one per line:
 * `{"reset": {"seed": 1}}` (the queue environment also takes `"start"`: a job index), `{"step":
 * {"action": 3}}`, `{"spaces": {}}`; each gets one line: the observation, `mask`, `info` (and
 * `reward`, `terminated`, `truncated` after a step), the spaces (`observationSize`, `actions`), or
 * `{"error": "..."}` for a bad request (the server goes on): one verb a request, its value an object.
 * It ends at the end of its input.
 */
export async function envServeCommand(file: string, o: { set: string[]; maxSteps?: string }): Promise<void> {
  const maxSteps = o.maxSteps === undefined ? undefined : Number(o.maxSteps);
  if (maxSteps !== undefined && !(Number.isInteger(maxSteps) && maxSteps > 0)) {
    throw new UserError(`--max-steps: expected a positive integer, found "${o.maxSteps}"`);
  }
  const fromFile = isEnvConfigFile(file) ? await fileEnv(file) : undefined;
  const env = fromFile ?? (await placementEnv(file, o.set, maxSteps));
  const reply = (x: unknown) => process.stdout.write(`${JSON.stringify(x)}\n`);
  const out = (r: Reply) => {
    const { mask, candidates, ...info } = r.info;
    return {
      observation: Array.from(r.observation),
      mask: Array.from(mask),
      info: candidates ? { ...info, candidates: Array.from(candidates) } : info,
    };
  };
  for await (const read of boundedLines(process.stdin)) {
    if ("tooLong" in read) {
      reply({ error: `expected a request of at most ${MAX_LINE_BYTES} bytes, found a line of ${read.tooLong}` });
      continue;
    }
    const line = read.line;
    if (line.trim() === "") continue;
    try {
      const parsed = JSON.parse(line) as unknown;
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        reply({ error: `expected {"reset": ...}, {"step": ...} or {"spaces": {}}, found ${line.slice(0, 80)}` });
        continue;
      }
      // One verb a request, its value an object: a second verb was dropped unseen, and a reset of 5,
      // "x" or true once reset with seed 0.
      const verbs = (["reset", "step", "spaces"] as const).filter((v) => Object.hasOwn(parsed, v));
      if (verbs.length !== 1) {
        reply({
          error:
            verbs.length === 0
              ? `expected {"reset": ...}, {"step": ...} or {"spaces": {}}, found ${line.slice(0, 80)}`
              : `expected one of reset, step and spaces per request, found ${verbs.join(" and ")}`,
        });
        continue;
      }
      const verb = verbs[0]!;
      const body = (parsed as Record<string, unknown>)[verb];
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        const example = { reset: '{"seed": 1}', step: '{"action": 3}', spaces: "{}" }[verb];
        reply({ error: `${verb}: expected an object (${example}), found ${foundValue(body)}` });
        continue;
      }
      // A field the verb does not take is a typo (`{"sed": 1}` reset with seed 0): refused by name.
      const fields = { reset: ["seed", "start"], step: ["action"], spaces: [] as string[] }[verb];
      const unknown = Object.keys(body).find((k) => !fields.includes(k));
      if (unknown !== undefined) {
        const expected = fields.length > 0 ? `only ${fields.join(" and ")}` : "no field";
        reply({ error: `${verb}: expected ${expected}, found ${foundValue(unknown)}` });
        continue;
      }
      if (verb === "reset") {
        const req = body as { seed?: unknown; start?: unknown };
        const seed = req.seed ?? 0;
        if (!(Number.isSafeInteger(seed) && (seed as number) >= 0))
          throw new RangeError(`reset: seed: expected an integer >= 0, found ${foundValue(seed)}`);
        const start = req.start;
        if (start !== undefined && !fromFile?.resetAt)
          throw new RangeError("reset: start: is for the queue environment only");
        if (start === undefined) reply(out(await env.reset(seed as number)));
        else {
          try {
            reply(out(fromFile!.resetAt!(seed as number, start as number)));
          } catch (err) {
            throw err instanceof RangeError ? new RangeError(`reset: ${err.message}`) : err;
          }
        }
      } else if (verb === "step") {
        const s = env.step((body as { action?: unknown }).action as number);
        reply({ ...out(s), reward: s.reward, terminated: s.terminated, truncated: s.truncated });
      } else reply(env.spaces());
    } catch (err) {
      // The environments refuse bad requests with a message; an error the language raises on a defect
      // (reading a property of undefined, calling what is not a function) is said to be one.
      const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
      const defect = err instanceof TypeError || err instanceof ReferenceError;
      reply({ error: defect ? `internal error: ${message}` : message });
    }
  }
}
