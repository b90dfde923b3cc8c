import { KeyedRng, philox4x32Block, RandomStreams } from "@clustersim/sim-core";
import { erf } from "mathjs";
import { describe, expect, it } from "vitest";
import { mulhi32 } from "../src/random/philox.js";

/**
 * Known answers of Philox4x32 from Random123's tests/kat_vectors, lines 24–29
 * (https://github.com/DEShawResearch/random123, commit 9545ff6413f258be2f04c1d319d99aaef7521150),
 * columns: rounds, CTR (4 words), KEY (2 words), EXPECTED (4 words). The counter and key of the third
 * line of each pair are the first hex digits of pi. The 7-round lines check the round and key schedule
 * apart from the round count.
 */
const KAT: [number, number[], number[], number[]][] = [
  [
    7,
    [0x00000000, 0x00000000, 0x00000000, 0x00000000],
    [0x00000000, 0x00000000],
    [0x5f6fb709, 0x0d893f64, 0x4f121f81, 0x4f730a48],
  ],
  [
    7,
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    [0xffffffff, 0xffffffff],
    [0x5207ddc2, 0x45165e59, 0x4d8ee751, 0x8c52f662],
  ],
  [
    7,
    [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
    [0xa4093822, 0x299f31d0],
    [0x4dfccaba, 0x190a87f0, 0xc47362ba, 0xb6b5242a],
  ],
  [
    10,
    [0x00000000, 0x00000000, 0x00000000, 0x00000000],
    [0x00000000, 0x00000000],
    [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
  ],
  [
    10,
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    [0xffffffff, 0xffffffff],
    [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
  ],
  [
    10,
    [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
    [0xa4093822, 0x299f31d0],
    [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
  ],
];

describe("Philox4x32", () => {
  it.each(KAT)("matches Random123's known answer (%i rounds, counter %j, key %j)", (rounds, ctr, key, expected) => {
    const out = new Uint32Array(4);
    philox4x32Block(ctr, key, out, rounds);
    expect(Array.from(out)).toEqual(expected);
    if (rounds === 10) {
      philox4x32Block(ctr, key, out); // 10 rounds is the default
      expect(Array.from(out)).toEqual(expected);
    }
  });

  it("computes the high word of 32×32-bit products exactly", () => {
    const stream = new RandomStreams(1).get("mulhi");
    const words = [0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xd2511f53, 0xcd9e8d57, 0xffffffff];
    for (let i = 0; i < 2000; i++) words.push(stream.int(0, 0xffffffff));
    const wrong: string[] = [];
    for (const a of words.slice(0, 100)) {
      for (const b of words) {
        if (mulhi32(a, b) !== Number((BigInt(a) * BigInt(b)) >> 32n)) wrong.push(`${a} * ${b}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe("keyed random draws", () => {
  const draws = (rng: { next(): number }, count: number) => Array.from({ length: count }, () => rng.next());

  it("gives each (key, draw index) the same value whatever order keys are visited in", () => {
    const keyed = new KeyedRng(42, "sizes");
    const keys = Array.from({ length: 1000 }, (_, k) => k * 7919);
    const inOrder = new Map(keys.map((k) => [k, draws(keyed.at(k), 5)]));

    // Shuffled, on another instance, and interleaved with other keys' draws.
    const other = new KeyedRng(42, "sizes");
    const shuffled = new RandomStreams(3).get("order").shuffle([...keys]);
    const streams = new Map(shuffled.map((k) => [k, other.stream(k)]));
    const got = new Map<number, number[]>(shuffled.map((k) => [k, []]));
    for (let i = 0; i < 5; i++) for (const k of shuffled) got.get(k)!.push(streams.get(k)!.next());
    expect(got).toEqual(inOrder);

    // Random access to single draws, and visits cut short (draws 0–1 only), in reverse order.
    for (const k of [...keys].reverse()) {
      expect([0, 1, 2, 3, 4].map((i) => other.draw(k, i))).toEqual(inOrder.get(k));
      expect(draws(other.at(k), 2)).toEqual(inOrder.get(k)!.slice(0, 2));
    }
  });

  it("is shared through RandomStreams.keyed and reproducible from (seed, name)", () => {
    const streams = new RandomStreams(9);
    expect(streams.keyed("faults")).toBe(streams.keyed("faults"));
    expect(draws(streams.keyed("faults").at(12), 3)).toEqual(draws(new KeyedRng(9, "faults").at(12), 3));
  });

  it("differs between keys, names and seeds, and from the sequential stream of the same name", () => {
    const first = (seed: number | string, name: string, key: number) => new KeyedRng(seed, name).draw(key, 0);
    const values = [
      first(1, "a", 0),
      first(1, "a", 1),
      first(1, "a", 2 ** 32), // the key's high word counts
      first(1, "a", 2 ** 53 - 1),
      first(1, "b", 0),
      first(2, "a", 0),
      first(7, "a", 0),
      first("7", "a", 0),
      new RandomStreams(1).get("a").next(),
    ];
    expect(new Set(values).size).toBe(values.length);
    const k = new KeyedRng(1, "a");
    expect(k.draw(5, 2 ** 33)).not.toBe(k.draw(5, 0)); // the block index's high word counts
  });

  it("restarts a key's normal variates on every at(): no cached variate leaks between keys", () => {
    const keyed = new KeyedRng(5, "normals");
    const alone = keyed.stream(2).normal();
    keyed.at(1).normal(); // leaves the pair's second variate cached
    const view = keyed.at(2);
    expect(view).toBe(keyed.at(3)); // one view, repositioned
    expect(keyed.at(2).normal()).toBe(alone);
  });

  it("rejects keys and indices outside [0, 2^53) or not integers", () => {
    const keyed = new KeyedRng(0, "x");
    for (const bad of [-1, 0.5, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => keyed.at(bad)).toThrow(/key must be an integer/);
      expect(() => keyed.draw(0, bad)).toThrow(/index must be a non-negative integer/);
    }
    expect(() => new KeyedRng(-1, "x")).toThrow(/non-negative integer/);
  });
});

/**
 * Statistical checks. Tolerances come from the sample size (N draws): a correlation coefficient of
 * independent variables has standard error 1/√N, a sample mean σ/√N, and the chi-square statistic is
 * judged by its tail probability.
 */
describe("keyed draws are uniform and independent", () => {
  const N = 100_000;
  const keyed = new KeyedRng(2024, "stats");

  /**
   * Two-sided tail probability of a chi-square statistic with `df` degrees of freedom, by the
   * Wilson–Hilferty cube-root normal approximation (Wilson & Hilferty, PNAS 17:684, 1931; accurate to
   * well under 1% of the tail probability at df ≈ 100): (X/df)^(1/3) is about normal with mean
   * 1 − 2/(9 df) and variance 2/(9 df).
   */
  function chiSquareTwoSidedP(x: number, df: number): number {
    const v = 2 / (9 * df);
    const z = (Math.cbrt(x / df) - (1 - v)) / Math.sqrt(v);
    return 1 - (erf(Math.abs(z) / Math.SQRT2) as number); // P(|Z| > |z|)
  }

  function chiSquareUniform(draw: (i: number) => number): number {
    const bins = 100;
    const counts = new Float64Array(bins);
    let outside = 0;
    for (let i = 0; i < N; i++) {
      const u = draw(i);
      if (u >= 0 && u < 1) counts[Math.floor(u * bins)]++;
      else outside++;
    }
    expect(outside).toBe(0);
    const expected = N / bins;
    let x = 0;
    for (const c of counts) x += (c - expected) ** 2 / expected;
    return chiSquareTwoSidedP(x, bins - 1);
  }

  // Rejecting at a two-sided tail probability of 1e-6 (a sound generator fails about once per million
  // seeds), both a lumpy histogram and one too even to be random fail.
  it("passes a chi-square test across keys (draw 0 of keys 0..N-1)", () => {
    expect(chiSquareUniform((k) => keyed.at(k).next())).toBeGreaterThan(1e-6);
  });

  it("passes a chi-square test along one key (draws 0..N-1 of key 7)", () => {
    const r = keyed.at(7);
    expect(chiSquareUniform(() => r.next())).toBeGreaterThan(1e-6);
  });

  function correlation(xs: Float64Array, ys: Float64Array): number {
    const n = xs.length;
    let mx = 0;
    let my = 0;
    for (let i = 0; i < n; i++) {
      mx += xs[i];
      my += ys[i];
    }
    mx /= n;
    my /= n;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < n; i++) {
      sxy += (xs[i] - mx) * (ys[i] - my);
      sxx += (xs[i] - mx) ** 2;
      syy += (ys[i] - my) ** 2;
    }
    return sxy / Math.sqrt(sxx * syy);
  }

  it("shows no correlation between consecutive keys, nor between draws 0 and 1 of a key", () => {
    const d0 = new Float64Array(N + 1);
    const d1 = new Float64Array(N + 1);
    for (let k = 0; k <= N; k++) {
      const r = keyed.at(k);
      d0[k] = r.next();
      d1[k] = r.next();
    }
    const bound = 4 / Math.sqrt(N);
    expect(Math.abs(correlation(d0.subarray(0, N), d0.subarray(1)))).toBeLessThan(bound);
    expect(Math.abs(correlation(d0.subarray(0, N), d1.subarray(0, N)))).toBeLessThan(bound);
  });

  it("draws distributions through the view: exponential and normal moments", () => {
    const rate = 2;
    let sum = 0;
    for (let k = 0; k < N; k++) sum += keyed.at(k).exponential(rate);
    // Exponential: sd = mean = 1/rate.
    expect(Math.abs(sum / N - 1 / rate)).toBeLessThan(5 / rate / Math.sqrt(N));

    let s1 = 0;
    let s2 = 0;
    for (let k = 0; k < N; k++) {
      const z = keyed.at(k).normal(3, 2);
      s1 += z;
      s2 += z * z;
    }
    const mean = s1 / N;
    const variance = s2 / N - mean * mean;
    expect(Math.abs(mean - 3)).toBeLessThan((5 * 2) / Math.sqrt(N));
    // Sample variance of a normal: standard error σ²·sqrt(2/N).
    expect(Math.abs(variance - 4)).toBeLessThan(5 * 4 * Math.sqrt(2 / N));

    const r = keyed.at(1);
    expect(["a", "b", "c"]).toContain(r.pick(["a", "b", "c"]));
    expect(Number.isInteger(r.int(1, 6))).toBe(true);
  });
});
