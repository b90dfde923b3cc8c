/**
 * The search strategy over a grid of values, by index 0 … count − 1 (smallest to largest), apart from
 * running anything: `judge` runs the values asked for and says which meet the objective.
 *
 * It assumes that meeting the objective is monotone in the value (once a value meets it, every larger
 * one does: more nodes never hurt), and finds the smallest value meeting it: the largest value first
 * (failing it, nothing in the range meets the objective), then the smallest (meeting it, that is the
 * answer), then bisection between the largest value known to fail and the smallest known to meet.
 * With room for several values at once (`perRound` > 1: workers to spare beyond the seeds), each round
 * judges that many values splitting the interval evenly, and both ends go in one round.
 *
 * The caller sees every judgement, and so can tell when they contradict the assumption (a value failing
 * above one that meets, which a round of several values can show); the answer is then still the
 * smallest value known to meet, the boundary the search closed on.
 */
export async function bisect(
  count: number,
  perRound: number,
  judge: (indices: number[]) => Promise<boolean[]>,
): Promise<number | undefined> {
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`count: expected an integer >= 1, found ${count}`);
  const last = count - 1;
  if (count === 1) return (await judge([0]))[0] ? 0 : undefined;
  const ends = perRound >= 2 ? await judge([last, 0]) : await judge([last]);
  if (!ends[0]) return undefined;
  const smallestMeets = ends.length === 2 ? ends[1] : (await judge([0]))[0];
  if (smallestMeets) return 0;
  // lo fails, hi meets, throughout.
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const points = splitting(lo, hi, perRound);
    const verdicts = await judge(points);
    const meeting = points.filter((_, i) => verdicts[i]);
    const newHi = meeting.length > 0 ? Math.min(...meeting) : hi;
    const failingBelow = points.filter((p, i) => !verdicts[i] && p < newHi);
    if (failingBelow.length > 0) lo = Math.max(lo, ...failingBelow);
    hi = newHi;
  }
  return hi;
}

/** Up to `n` indices strictly between lo and hi, splitting the gap evenly (the midpoint for n = 1). */
export function splitting(lo: number, hi: number, n: number): number[] {
  const gap = hi - lo;
  if (gap - 1 <= n) return Array.from({ length: gap - 1 }, (_, j) => lo + 1 + j);
  const points = new Set<number>();
  for (let j = 1; j <= n; j++) points.add(lo + Math.floor((j * gap) / (n + 1)));
  return [...points].filter((p) => p > lo && p < hi).sort((a, b) => a - b);
}
