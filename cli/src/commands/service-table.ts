/**
 * The per-service table a run prints: for each service, its peak arrival rate (a tick's), its replicas
 * at most, its p99 over the run and
 * over the scenario's first named window (the peak, say), its share of requests within the objective
 * there, and what it lost (dropped, or failed by a callee). Columns aligned for a terminal.
 */
export function serviceTable(summary: Record<string, unknown>): string[] {
  const services = summary.services as Record<string, Record<string, number>> | undefined;
  if (!services) return [];
  const windows = summary.serviceWindows as Record<string, Record<string, Record<string, number>>> | undefined;
  const [windowName, window] = Object.entries(windows ?? {})[0] ?? [];
  const secs = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? `${x.toFixed(3)} s` : "–");
  const share = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : "–");
  const count = (x: number) => Math.round(x).toLocaleString("en");
  const header = ["service", "peak req/s", "replicas max", "p99", "within objective"];
  if (window) header.push(`p99 ${windowName}`, `within ${windowName}`);
  header.push("dropped", "failed");
  const rows = Object.entries(services).map(([name, s]) => {
    const row = [name, count(s.peakRatePerS), String(s.replicasMax), secs(s.latencyP99S), share(s.sloAttainment)];
    if (window) row.push(secs(window[name]?.latencyP99S), share(window[name]?.sloAttainment));
    row.push(count(s.requestsDropped), count(s.requestsFailed ?? 0));
    return row;
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    `    ${r.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join("  ")}`;
  return [line(header), ...rows.map(line)];
}
