import { basename, extname } from "node:path";
import { InputError } from "@clustersim/files";
import { TrainingDiverged, trainRl } from "@clustersim/rl";
import { loadRlEnvConfig, SpecError } from "@clustersim/scenarios";
import { ChecksFailed, UserError } from "../errors.js";

export interface TrainRlCommandOptions {
  out?: string;
  resume?: string;
  epochs?: string;
  seed?: string;
  workers?: string;
  quiet?: boolean;
}

/**
 * `clustersim train-rl FILE`: PPO on an RL environment file's environment, queue or placement (rl's
 * trainRl). Bad input exits 2; a training stopped by a non-finite loss or weight exits 1.
 */
export async function trainRlCommand(
  file: string,
  o: TrainRlCommandOptions,
  print: (line: string) => void,
): Promise<void> {
  const epochs = o.epochs === undefined ? undefined : Number(o.epochs);
  if (epochs !== undefined && !(Number.isInteger(epochs) && epochs >= 1))
    throw new UserError(`--epochs: expected an integer >= 1, found "${o.epochs}"`);
  const workers = o.workers === undefined ? undefined : Number(o.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1 && workers <= 256))
    throw new UserError(`--workers: expected an integer from 1 to 256, found "${o.workers}"`);
  const seed = o.seed === undefined ? undefined : Number(o.seed);
  if (seed !== undefined && !(/^\d+$/.test(o.seed!) && Number.isSafeInteger(seed)))
    throw new UserError(`--seed: expected a whole number from 0, found "${o.seed}"`);
  try {
    const config = loadRlEnvConfig(file);
    // Another seed is another training of the same file: it gets a folder of its own by default.
    if (seed !== undefined) config.train.seed = seed;
    const out = o.out ?? (seed === undefined ? undefined : `results/rl-${basename(file, extname(file))}-seed${seed}`);
    const r = await trainRl(file, config, {
      workers,
      out,
      resume: o.resume,
      epochs,
      onEpoch: (_row, line, wallS) => {
        if (!o.quiet) process.stderr.write(`${line} (${wallS.toFixed(0)} s)\n`);
      },
    });
    if (!o.quiet) {
      print(`trained ${r.epochsRun} epoch(s) in ${r.wallS.toFixed(1)} s; ${r.checkpoint.epoch} in all`);
      const agent = r.checkpoint.best ? `, agent.json (epoch ${r.checkpoint.best.epoch}, best on validation)` : "";
      print(`results in ${r.dir}: checkpoint.json, curve.csv, curve.svg, timing.json${agent}`);
    }
  } catch (err) {
    if (err instanceof SpecError || err instanceof InputError) throw new UserError(err.message);
    if (err instanceof TrainingDiverged) {
      // Not bad input as such (the file was valid) nor a defect: the training went where it cannot
      // continue. Said in one line, exit 1, and no checkpoint of the bad epoch was written.
      process.stderr.write(`clustersim: train-rl: ${err.message}\n`);
      throw new ChecksFailed(err.message);
    }
    throw err;
  }
}
