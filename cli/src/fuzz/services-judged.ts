import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Per-service counts and totals that are finite and never negative in any run. */
const AMOUNTS = [
  "requests",
  "requestsServed",
  "requestsDropped",
  "requestsFailed",
  "replicaHours",
  "readyReplicaHours",
  "cpuUsedCoreHours",
  "cpuRequestedCoreHours",
  "serverlessCost",
] as const;
/** Latency percentiles in order: each at least the one before (absent, null, when nothing was served). */
const PERCENTILES = ["latencyP50S", "latencyP90S", "latencyP99S", "latencyP999S"] as const;

/**
 * What is wrong with a services run that exited 0, from its summary.json: the figures every run must
 * satisfy by their definitions, whatever its input. A run that breaks one gave a wrong result with exit 0.
 * `--check` guards the cluster's own invariants during the run; these guard what it reports.
 */
export function servicesJudged(out: string): string | undefined {
  let summary: { cpuUsedFraction?: number; services?: Record<string, Record<string, number | null>> };
  try {
    summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
  } catch (err) {
    return `exit 0 without a readable summary.json (${(err as Error).message})`;
  }
  const used = summary.cpuUsedFraction;
  if (typeof used === "number" && !(used >= 0 && used <= 1 + 1e-9)) return `cpuUsedFraction ${used}, outside [0, 1]`;
  for (const [name, s] of Object.entries(summary.services ?? {})) {
    const bad = (what: string) => `service ${name}: ${what}`;
    for (const k of AMOUNTS) {
      const v = s[k];
      if (!(typeof v === "number" && Number.isFinite(v) && v >= 0))
        return bad(`${k} is ${v}, expected a finite amount ≥ 0`);
    }
    // Every request is served, dropped or still waiting; a failed one was counted served when it began.
    const answered = (s.requestsServed as number) + (s.requestsDropped as number);
    if (answered > (s.requests as number) * (1 + 1e-9) + 1e-6)
      return bad(`served and dropped add to ${answered}, more than the ${s.requests} requests`);
    if ((s.requestsFailed as number) > (s.requestsServed as number) * (1 + 1e-9) + 1e-6)
      return bad(`requestsFailed ${s.requestsFailed} above requestsServed ${s.requestsServed}`);
    if ((s.readyReplicaHours as number) > (s.replicaHours as number) * (1 + 1e-9) + 1e-9)
      return bad(`readyReplicaHours ${s.readyReplicaHours} above replicaHours ${s.replicaHours}`);
    const att = s.sloAttainment;
    if (att !== null && att !== undefined && !(att >= 0 && att <= 1))
      return bad(`sloAttainment ${att}, outside [0, 1]`);
    let before = 0;
    for (const k of PERCENTILES) {
      const v = s[k];
      if (v === null || v === undefined) continue;
      if (!(Number.isFinite(v) && v >= before * (1 - 1e-9)))
        return bad(`${k} is ${v}, below the percentile before (${before})`);
      before = v;
    }
  }
  return undefined;
}
