import type { Tensor } from "@clustersim/engine";

/**
 * Finding bad numbers in a flat parameter array and naming where they are. Training (its divergence
 * guard) and checkpoint reading both report a value by the tensor that holds it, so that one message
 * says which layer went wrong rather than a bare index among 12,531.
 */

/** The values a tensor holds: the product of its shape. */
export function tensorSize(t: Tensor): number {
  return t.shape.reduce((a, b) => a * b, 1);
}

/** The parameters a list of tensors covers (they lie back to back from the first's offset). */
export function tensorsSize(tensors: readonly Tensor[]): number {
  return tensors.reduce((s, t) => s + tensorSize(t), 0);
}

/**
 * Flat index `i` as the tensor element holding it, e.g. `actor.layer2.weight[3][17]` (row, then
 * column, as the weights lie: [out][in]); undefined past the last tensor.
 */
export function tensorElement(tensors: readonly Tensor[], i: number): string | undefined {
  for (const t of tensors) {
    const k = i - t.offset;
    if (k < 0 || k >= tensorSize(t)) continue;
    if (t.shape.length === 1) return `${t.name}[${k}]`;
    const cols = t.shape[1]!;
    return `${t.name}[${Math.floor(k / cols)}][${k % cols}]`;
  }
  return undefined;
}

/**
 * The first entry of values[from, to) that is not a finite number (NaN, ±Infinity, or not a number at
 * all: JSON writes NaN and Infinity as null), and how many such entries the range holds.
 */
export function firstNonFinite(
  values: ArrayLike<unknown>,
  from = 0,
  to = values.length,
): { index: number; value: unknown; count: number } | undefined {
  let first = -1;
  let count = 0;
  for (let i = from; i < to; i++) {
    const v = values[i];
    if (typeof v === "number" && Number.isFinite(v)) continue;
    if (first < 0) first = i;
    count++;
  }
  return first < 0 ? undefined : { index: first, value: values[first], count };
}

/** A non-finite value as a message shows it; null is what JSON.stringify makes of NaN and ±Infinity. */
export function showValue(v: unknown): string {
  if (v === null) return "null (JSON's stand-in for a NaN or an infinity that was written)";
  if (v === undefined) return "nothing";
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
  return JSON.stringify(v).slice(0, 40);
}
