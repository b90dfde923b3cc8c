/**
 * Runs one JavaScript implementation of the hold model at one size in this (fresh) process, so that
 * neither JIT state nor garbage from another implementation colours the measurement.
 * Usage: node --expose-gc child.js IMPL PENDING WARMUP EVENTS REPS SEED  -> one JSON line.
 */
import { JS_IMPLS, runHold } from "./impls.js";

const [impl, ...rest] = process.argv.slice(2);
const nums = rest.map(Number);
const [pending, warmup, events, reps, seed] = nums;
if (!JS_IMPLS.includes(impl) || nums.length !== 5 || nums.some((n) => !Number.isFinite(n))) {
  process.stderr.write(`usage: child IMPL PENDING WARMUP EVENTS REPS SEED (IMPL one of ${JS_IMPLS.join(", ")})\n`);
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(runHold(impl, pending, warmup, events, reps, seed))}\n`);
