import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Small sweeps over files the tests change: each run takes well under a second. */

export const tmp = (): string => mkdtempSync(join(tmpdir(), "clustersim-sweep-"));

export const sha256 = (bytes: string | Buffer): string => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/**
 * Replace a file's content keeping its size, and its mtime to the microsecond: a change that a
 * fingerprint by size and mtime cannot tell from none.
 */
export function rewriteInPlace(path: string, content: string): void {
  const before = statSync(path);
  if (Buffer.byteLength(content) !== before.size)
    throw new Error(`fixture: ${path}: the new content must keep its size`);
  writeFileSync(path, content);
  utimesSync(path, before.atimeMs / 1000, before.mtimeMs / 1000);
}

/** A sweep file running `scenario` as written (one variant) on `seeds` seeds, reporting `metrics`. */
export function sweepOf(dir: string, scenario: string, metrics: string[], seeds = 2, name = "content"): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `${[
      `name: ${name}`,
      `scenarios: [${scenario}]`,
      "variants: [{ label: as-written }]",
      `seeds: ${seeds}`,
      `metrics: [${metrics.join(", ")}]`,
    ].join("\n")}\n`,
  );
  return file;
}

/** A column of results.csv, by its header, as numbers. */
export function column(out: string, name: string): number[] {
  const [header, ...rows] = readFileSync(join(out, "results.csv"), "utf8").trim().split("\n");
  const i = header!.split(",").indexOf(name);
  if (i < 0) throw new Error(`results.csv has no column ${name}`);
  return rows.map((r) => Number(r.split(",")[i]));
}

/**
 * An SWF trace of 80 one-processor jobs, 7 s apart, as arrivals of a service's requests: with
 * `inside` 40, the first 40 arrive in the first 10 minutes and the rest after 5000 s; with 80, all
 * arrive in the first 10 minutes. Times are written with four digits, so both traces have one size.
 */
export function arrivalsTrace(inside: 40 | 80): string {
  const lines: string[] = [];
  for (let i = 0; i < 80; i++) {
    const t = i < inside ? i * 7 : 5000 + i * 7;
    lines.push(
      `${String(i + 1).padStart(3)} ${String(t).padStart(4, "0")} -1 10 1 -1 -1 1 -1 -1 1 -1 -1 -1 0 -1 -1 -1`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** A 10-minute scenario of one service whose requests arrive as `trace` (SWF) says, 10 per arrival. */
export const SERVICE_SCENARIO = (trace: string): string =>
  `${[
    "duration: 10m",
    'cluster: { nodeGroups: [{ name: workers, count: 2, cpu: "16", memory: 64Gi }] }',
    "services:",
    "  - name: api",
    "    replica: { cpu: 500m, memory: 512Mi }",
    "    replicas: 2",
    "    serviceTime: 50ms",
    "    cpuPerRequest: 0.01",
    "    slo: { target: 500ms }",
    `    rate: [{ type: trace, format: swf, path: ${trace}, scale: 10 }]`,
    "scheduler: { name: kubernetes-default }",
  ].join("\n")}\n`;

/** An hour of light Poisson load on a group of one 4-core node that may grow to 10. */
export const POISSON_SCENARIO = (extra: string[]): string =>
  `${[
    "duration: 1h",
    'cluster: { nodeGroups: [{ name: workers, count: 1, maxCount: 10, cpu: "4", memory: 8Gi }] }',
    "workloads:",
    '  - { type: poisson, ratePerS: 0.02, task: { run: { dist: exponential, mean: 100 }, cpu: "1", memory: 1Gi } }',
    ...extra,
  ].join("\n")}\n`;

/** A controller that adds `nodes` nodes to the group "workers" when the run starts. */
export const ADDER_CONTROLLER = (nodes: number): string =>
  `${[
    'import type { Controller } from "@clustersim/engine";',
    "",
    "export const controller = {",
    '  name: "adder",',
    "  create(): Controller {",
    `    return { name: "adder", start: (ctx) => void ctx.addNodes("workers", ${nodes}) };`,
    "  },",
    "};",
  ].join("\n")}\n`;

/** A first-fit strategy that runs at most CAP pods on a node, CAP imported from ./cap.js. */
export const CAPPED_STRATEGY = `${[
  'import type { ClusterView } from "@clustersim/hardware-models";',
  'import type { Decision, PlacementStrategy, Pod } from "@clustersim/schedulers";',
  'import { CAP } from "./cap.js";',
  "",
  "export const strategy = {",
  '  name: "capped",',
  "  create(): PlacementStrategy {",
  "    const running: number[] = [];",
  "    return {",
  '      name: "capped",',
  "      decide(view: ClusterView, pod: Pod): Decision | null {",
  "        for (let node = 0; node < view.nodeCount; node++)",
  "          if ((running[node] ?? 0) < CAP && view.fits(node, pod)) return { node };",
  "        return null;",
  "      },",
  "      bound: (_view, _pod, d) => void (running[d.node] = (running[d.node] ?? 0) + 1),",
  "      released: (_view, _pod, node) => void (running[node] -= 1),",
  "    };",
  "  },",
  "};",
].join("\n")}\n`;
