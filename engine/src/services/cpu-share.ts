/**
 * CPU as the server: how much slower a replica's requests run when its CPU binds. A request costs
 * `cpuPerRequestS` core-seconds over its `meanS` of service, so it keeps d = cpuPerRequestS / meanS
 * cores busy while it runs. A replica's requests share its cores as the kernel's CFS shares a cgroup's
 * quota among runnable threads (processor sharing): with n in service each runs at min(1, cores/(n·d))
 * of its speed, so its service time stretches by max(1, n·d/cores), n at most its concurrency. The
 * number in service is taken as binomial over the slots, each busy with the mean share from the
 * previous tick (all of them when the replica is saturated; an approximation: slots are not independent). So a replica stretches its requests a little as
 * its CPU nears full, and one whose traffic asks for more CPU than it has settles where it serves
 * cores / cpuPerRequestS requests per second: it never uses more CPU than it has, and its requests
 * wait longer. The replica's CPU is its request (a Guaranteed pod: limit = request, an assumption),
 * less the host cores its software network path takes (hardware-models' virtio cost).
 */
export function cpuStretch(
  concurrency: number,
  cores: number,
  meanS: number,
  cpuPerRequestS: number,
  inServicePerReplica: number,
): number {
  if (!(cpuPerRequestS > 0) || !(meanS > 0)) return 1;
  // A replica whose network path takes all its CPU keeps a millicore (its requests crawl, visibly).
  const perRequest = cpuPerRequestS / (meanS * Math.max(cores, 1e-3));
  // Every slot busy at once still fits its cores: the CPU never binds.
  if (concurrency * perRequest <= 1) return 1;
  const k = concurrency;
  const q = Math.min(1, Math.max(0, inServicePerReplica) / k);
  if (q >= 1) return k * perRequest;
  // n ~ Binomial(k, q): each slot busy with the mean share, all of them when the replica is saturated.
  // The probabilities in logarithms: (1 − q)^k underflows for many slots.
  if (q <= 0) return 1;
  const odds = Math.log(q) - Math.log1p(-q);
  let logP = k * Math.log1p(-q);
  let sum = 0;
  for (let n = 0; n <= k; n++) {
    sum += Math.exp(logP) * Math.max(1, n * perRequest);
    logP += Math.log(k - n) - Math.log(n + 1) + odds;
  }
  return sum;
}
