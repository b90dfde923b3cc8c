/**
 * The generator every hold-model implementation shares (TypeScript, C++ in bench/cpp/hold.cpp, Python in
 * bench/python/hold_simpy.py): mulberry32 for uniforms and a -ln(u) built from IEEE basic operations
 * only, so all languages compute bit-identical event times and the checksums must agree. (Math.log and
 * libm's log may differ in the last bit.) This is a benchmark fixture, not a simulation stream: models
 * use sim-core's named seedrandom streams.
 */
export type Uniform = () => number;

export function mulberry32(seed: number): Uniform {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    t = (t ^ (t >>> 14)) >>> 0;
    return (t + 0.5) / 4294967296;
  };
}

const LN2 = Math.LN2;
const SQRT_HALF = Math.SQRT1_2;

/** -ln(u) for u in (0, 1]: an Exp(1) variate from a uniform. */
export function negLog(u: number): number {
  let m = u;
  let k = 0;
  while (m < SQRT_HALF) {
    m *= 2;
    k++;
  }
  const s = (m - 1) / (m + 1);
  const z = s * s;
  const p =
    1 +
    z *
      (1 / 3 +
        z *
          (1 / 5 +
            z *
              (1 / 7 +
                z * (1 / 9 + z * (1 / 11 + z * (1 / 13 + z * (1 / 15 + z * (1 / 17 + z * (1 / 19 + z / 21)))))))));
  return k * LN2 - 2 * s * p;
}
