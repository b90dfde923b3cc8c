import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { type Episode, PlacementEnv } from "@clustersim/engine";
import { composeCluster, composeWorkload, SpecError } from "@clustersim/scenarios";
import type { Task } from "@clustersim/workloads";
import { UserError } from "../errors.js";
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

/**
 * `clustersim env serve SCENARIO`: the placement environment over JSON lines on stdin and stdout, for
 * agents in any language (examples/rl/clustersim_env.py). Requests, one per line:
 * `{"reset": {"seed": 1}}`, `{"step": {"action": 3}}`, `{"spaces": {}}`; each gets one line:
 * the observation, `mask`, `info` (and `reward`, `terminated`, `truncated` after a step), the spaces
 * (`observationSize`, `actions`), or `{"error": "..."}` for a bad request (the server goes on). It ends
 * at the end of its input.
 */
export async function envServeCommand(file: string, o: { set: string[]; maxSteps?: string }): Promise<void> {
  readScenario(file, o.set); // bad input is refused before serving
  const maxSteps = o.maxSteps === undefined ? undefined : Number(o.maxSteps);
  if (maxSteps !== undefined && !(Number.isInteger(maxSteps) && maxSteps > 0)) {
    throw new UserError(`--max-steps: expected a positive integer, found "${o.maxSteps}"`);
  }
  let next: Episode | undefined;
  const env = new PlacementEnv({
    episode: () => {
      if (!next) throw new Error("no episode prepared");
      return next;
    },
    maxSteps,
  });
  const reply = (x: unknown) => process.stdout.write(`${JSON.stringify(x)}\n`);
  const out = (r: { observation: Float32Array; info: { mask: Uint8Array; timeS: number; task: number } }) => ({
    observation: Array.from(r.observation),
    mask: Array.from(r.info.mask),
    info: { timeS: r.info.timeS, task: r.info.task },
  });
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    try {
      const req = JSON.parse(line) as { reset?: { seed?: number }; step?: { action?: number }; spaces?: object };
      if (req.reset) {
        const seed = req.reset.seed ?? 0;
        if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`reset: expected a seed >= 0, found ${seed}`);
        next = await scenarioEpisode(file, o.set, seed);
        reply(out(env.reset(seed)));
      } else if (req.step) {
        const s = env.step(req.step.action as number);
        reply({ ...out(s), reward: s.reward, terminated: s.terminated, truncated: s.truncated });
      } else if (req.spaces) {
        reply({ observationSize: env.observationSize, actions: env.nodeCount + 1 });
      } else reply({ error: `expected {"reset": ...}, {"step": ...} or {"spaces": {}}, found ${line.slice(0, 80)}` });
    } catch (err) {
      reply({ error: err instanceof Error ? err.message.split("\n")[0] : String(err) });
    }
  }
}
