/** A scenario seed: a non-negative integer or any string. */
export type Seed = number | string;

export function checkSeed(seed: Seed): void {
  if (typeof seed === "number" && !(Number.isSafeInteger(seed) && seed >= 0)) {
    throw new RangeError(`seed must be a non-negative integer or a string, found ${seed}`);
  }
}

/**
 * The string a stream's generator is seeded from. The type tag keeps the number 7 and the string "7"
 * apart; `kind` separates families of streams (sequential ones, keyed ones) that share a name.
 */
export function streamKey(seed: Seed, name: string, kind = "clustersim"): string {
  return `${kind}/${typeof seed}:${seed}/${name}`;
}
