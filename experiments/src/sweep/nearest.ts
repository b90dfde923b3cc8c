/**
 * The known name nearest to `name`, for "did you mean": the same name in other case; else the one that
 * begins with it, or that it begins with, by the fewest letters (`rate` → `ratePerS`: a field named by
 * its start is far from it by edit distance); else the nearest by edit distance (a swap of two letters
 * one edit), if within a third of its length and at least one edit (half of a short name would make it
 * another name: `rate` → `name`).
 */
export function nearest(name: string, known: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  const names = [...known];
  const same = names.find((k) => k.toLowerCase() === lower);
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of names) {
    const other = k.toLowerCase();
    const [short, long] = other.length < lower.length ? [other, lower] : [lower, other];
    // Three letters at least: a one- or two-letter start says nothing of the rest.
    if (short.length >= 3 && long.startsWith(short) && long.length - short.length < bestD)
      [best, bestD] = [k, long.length - short.length];
  }
  if (best !== undefined) return best;
  bestD = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const k of names) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

/** Edits from a to b: letters inserted, removed, replaced, or two side by side swapped (`cots` → `cost`: one). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
