import { UserError } from "./errors.js";

/** setTimeout's longest delay, 2^31 - 1 ms (about 24.8 days), in whole seconds. */
const MAX_TIMEOUT_S = Math.floor((2 ** 31 - 1) / 1000);

/** A command-line option giving seconds of wall-clock time (a time limit), checked. */
export function positiveSeconds(name: string, s: string): number {
  const n = Number(s);
  if (s.trim() === "" || !(n > 0 && n <= MAX_TIMEOUT_S))
    throw new UserError(`${name}: expected a number of seconds above 0 and at most ${MAX_TIMEOUT_S}, found "${s}"`);
  return n;
}
