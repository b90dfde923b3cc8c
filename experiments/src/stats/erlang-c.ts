/**
 * Closed-form results for the M/M/c queue (Poisson arrivals at rate lambda, exponential service at rate
 * mu, c identical servers, first come first served), used to check the simulator against theory.
 * Erlang B by its stable recursion, then Erlang C = c·B / (c − a(1 − B)) with offered load a = lambda/mu.
 */
export interface MmcTheory {
  /** Probability that an arriving task has to wait (Erlang C). */
  probWait: number;
  /** Mean wait in the queue, in the time unit of 1/mu. */
  waitMean: number;
  /** Server utilisation, a / c. */
  utilisation: number;
  /** The q-quantile of the wait: P(W > t) = C·exp(−(c·mu − lambda)·t). */
  waitQuantile(q: number): number;
}

export function mmcTheory(lambda: number, mu: number, c: number): MmcTheory {
  const a = lambda / mu;
  if (!(a < c)) throw new RangeError(`M/M/c is unstable: offered load ${a} >= servers ${c}`);
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  const probWait = (c * b) / (c - a * (1 - b));
  const drain = c * mu - lambda;
  return {
    probWait,
    waitMean: probWait / drain,
    utilisation: a / c,
    waitQuantile: (q) => (1 - q >= probWait ? 0 : Math.log(probWait / (1 - q)) / drain),
  };
}
