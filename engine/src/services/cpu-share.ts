/**
 * CPU as the server: how much slower a replica's requests run when its CPU binds. A request costs
 * `cpuPerRequestS` core-seconds over its `meanS` of service, so it keeps d = cpuPerRequestS / meanS
 * cores busy while it runs. A replica's requests share its cores as the kernel's CFS shares a cgroup's
 * quota among runnable threads (processor sharing): with n in service each runs at min(1, cores/(n·d))
 * of its speed, so its service time stretches by max(1, n·d/cores), n at most its concurrency k.
 *
 * A request in service sees itself and the others: n = 1 + Binomial(k − 1, q), each other slot busy
 * with the replica's mean share q (an assumption: slots are not independent). q follows the tick's own
 * traffic, `offeredPerS` requests per second per replica: q = offered × meanS × stretch / k, the
 * stretch and q solved together (the least fixed point, by iteration from no stretch; q = 1 when the
 * replica cannot keep up). So a replica stretches its requests a little as its CPU nears full, and one
 * whose traffic asks for more CPU than it has serves cores / cpuPerRequestS requests per second: it
 * never uses more CPU than it has, and its requests wait. The replica's CPU is its request (a
 * Guaranteed pod: limit = request, an assumption), less the host cores its software network path takes
 * (hardware-models' virtio cost).
 */
export function cpuStretch(
  concurrency: number,
  cores: number,
  meanS: number,
  cpuPerRequestS: number,
  offeredPerS: number,
): number {
  if (!(cpuPerRequestS > 0) || !(meanS > 0)) return 1;
  // A replica whose network path takes all its CPU keeps a millicore (its requests crawl, visibly).
  const perRequest = cpuPerRequestS / (meanS * Math.max(cores, 1e-3));
  // Every slot busy at once still fits its cores: the CPU never binds.
  if (concurrency * perRequest <= 1) return 1;
  const k = concurrency;
  const load = (Math.max(0, offeredPerS) * meanS) / k;
  let stretch = 1;
  for (let it = 0; it < 50; it++) {
    const next = seenStretch(k, Math.min(1, load * stretch), perRequest);
    if (Math.abs(next - stretch) <= 1e-9 * next) return next;
    stretch = next;
  }
  return stretch;
}

/** E[max(1, n·perRequest)] for n = 1 + Binomial(k − 1, q): what a request in service sees. */
function seenStretch(k: number, q: number, perRequest: number): number {
  if (q <= 0) return Math.max(1, perRequest);
  if (q >= 1) return k * perRequest;
  // The probabilities in logarithms: (1 − q)^(k − 1) underflows for many slots.
  const m = k - 1;
  const odds = Math.log(q) - Math.log1p(-q);
  let logP = m * Math.log1p(-q);
  let sum = 0;
  for (let j = 0; j <= m; j++) {
    sum += Math.exp(logP) * Math.max(1, (j + 1) * perRequest);
    logP += Math.log(m - j) - Math.log(j + 1) + odds;
  }
  return sum;
}
