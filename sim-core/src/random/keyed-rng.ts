import seedrandom from "seedrandom";
import { philox4x32 } from "./philox.js";
import { Rng, type UniformSource } from "./rng.js";
import { checkSeed, type Seed, streamKey } from "./seed.js";

/**
 * Keyed random draws, for common random numbers across policies that visit work in different orders.
 * A sequential stream (RandomStreams.get) gives task #k whatever draws come next, so a policy that
 * samples task 5 before task 3 gives them different values than one that does not; here draw i of key
 * k is a pure function of (seed, name, k, i): `at(k)` positions a cursor at draw 0 of key k, and its
 * `next()`, `exponential()`, `normal()`, ... consume draws 0, 1, 2, ... of that key only.
 *
 * Generator: Philox4x32-10 (./philox.ts), counter-based: block n of key k is
 * philox4x32(counter = [n mod 2^32, k mod 2^32, floor(k / 2^32), floor(n / 2^32)], philoxKey). Each block
 * yields two 53-bit doubles, draws 2n and 2n + 1 (words 0–1 and 2–3), so a draw costs half a Philox
 * call. Keys are integers in [0, 2^53), the counter's 32 + 21 bits; any key gets 2^54 draws.
 *
 * The 64-bit Philox key comes from (seed, name) through the same string derivation and Tyche-i
 * generator as RandomStreams, in a namespace of its own ("clustersim-keyed/...") so that
 * `keyed("arrivals")` shares no seed material with `get("arrivals")`.
 */
export class KeyedRng {
  readonly seed: Seed;
  readonly name: string;
  /** The Philox key (two 32-bit words). */
  private readonly k0: number;
  private readonly k1: number;
  private readonly view: KeyedView;

  constructor(seed: Seed, name: string) {
    checkSeed(seed);
    this.seed = seed;
    this.name = name;
    const prng = seedrandom.tychei(streamKey(seed, name, "clustersim-keyed"));
    this.k0 = prng.int32() >>> 0;
    this.k1 = prng.int32() >>> 0;
    this.view = new KeyedView(name, new PhiloxCursor(this.k0, this.k1));
  }

  /**
   * The draws of `key`, from draw 0, with every Rng distribution. Allocates nothing: the returned object
   * is one view owned by this KeyedRng and repositioned by each call, so it is valid only until the next
   * `at()` on the same KeyedRng; use `stream(key)` to hold several keys at once.
   */
  at(key: number): Rng {
    this.view.seek(checkKey(key, this.name));
    return this.view;
  }

  /** An Rng of its own over the draws of `key`, from draw 0 (allocates; independent of `at()`). */
  stream(key: number): Rng {
    const view = new KeyedView(this.name, new PhiloxCursor(this.k0, this.k1));
    view.seek(checkKey(key, this.name));
    return view;
  }

  /** Draw `index` of `key` alone: the uniform that the (index + 1)-th `at(key).next()` returns. */
  draw(key: number, index: number): number {
    checkKey(key, this.name);
    if (!(Number.isSafeInteger(index) && index >= 0)) {
      throw new RangeError(`keyed rng("${this.name}").draw: index must be a non-negative integer, found ${index}`);
    }
    const block = Math.floor(index / 2);
    philoxBlock(scratch, block, key, this.k0, this.k1);
    return (index & 1) === 0 ? toDouble(scratch[0], scratch[1]) : toDouble(scratch[2], scratch[3]);
  }
}

const TWO32 = 4294967296;
/** Shared output of `draw()`: JavaScript is single-threaded and the block is read before returning. */
const scratch = new Uint32Array(4);

function checkKey(key: number, name: string): number {
  if (!(Number.isSafeInteger(key) && key >= 0)) {
    throw new RangeError(`keyed rng("${name}"): key must be an integer in [0, 2^53), found ${key}`);
  }
  return key;
}

/** Block `block` of key `key` (both integers in [0, 2^53)) into `out`; see KeyedRng for the layout. */
function philoxBlock(out: Uint32Array, block: number, key: number, k0: number, k1: number): void {
  const blockLo = block >>> 0;
  const keyLo = key >>> 0;
  philox4x32(out, blockLo, keyLo, (key - keyLo) / TWO32, (block - blockLo) / TWO32, k0, k1);
}

/**
 * A double in [0, 1) from the top 27 bits of `a` and the top 26 of `b`: (a >> 5) · 2^26 + (b >> 6)
 * over 2^53, the construction of the reference MT19937 genrand_res53 (Matsumoto & Nishimura, mt19937ar.c).
 */
function toDouble(a: number, b: number): number {
  return ((a >>> 5) * 67108864 + (b >>> 6)) / 9007199254740992;
}

/** Sequential uniforms over one key's Philox blocks: two doubles per block, the second kept for the next call. */
class PhiloxCursor implements UniformSource {
  private readonly out = new Uint32Array(4);
  private key = 0;
  private block = 0;
  private second = 0;
  private hasSecond = false;

  constructor(
    private readonly k0: number,
    private readonly k1: number,
  ) {}

  seek(key: number): void {
    this.key = key;
    this.block = 0;
    this.hasSecond = false;
  }

  double(): number {
    if (this.hasSecond) {
      this.hasSecond = false;
      return this.second;
    }
    const out = this.out;
    philoxBlock(out, this.block++, this.key, this.k0, this.k1);
    this.second = toDouble(out[2], out[3]);
    this.hasSecond = true;
    return toDouble(out[0], out[1]);
  }
}

/** An Rng over a PhiloxCursor that can be moved to another key. */
class KeyedView extends Rng {
  constructor(
    name: string,
    private readonly cursor: PhiloxCursor,
  ) {
    super(name, cursor);
  }

  seek(key: number): void {
    this.cursor.seek(key);
    // A normal variate cached from the previous key would otherwise leak into this one.
    this.clearNormalCache();
  }
}
