/**
 * Properties every placement strategy must keep, on random clusters (CPU, memory, shareable GPUs,
 * taints) with random pods placed in sequence (fast-check): a decision always names a node the pod
 * fits; and a strategy that finds no node leaves the pod where no node fits.
 */
import { ClusterState } from "@clustersim/hardware-models";
import { createPlacement, type Pod, strategy, strategyNames } from "@clustersim/schedulers";
import { RandomStreams } from "@clustersim/sim-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const placements = strategyNames().filter((n) => strategy(n)!.kind === "placement");

const nodeSpec = fc.record({
  cpu: fc.integer({ min: 1000, max: 64_000 }),
  mem: fc.integer({ min: 1024, max: 262_144 }),
  gpus: fc.integer({ min: 0, max: 4 }),
  tainted: fc.boolean(),
});
const podSpec = fc.record({
  cpu: fc.integer({ min: 0, max: 20_000 }),
  mem: fc.integer({ min: 0, max: 70_000 }),
  gpus: fc.integer({ min: 0, max: 2 }),
  gpuMilli: fc.constantFrom(250, 500, 1000),
  tolerates: fc.boolean(),
});

function cluster(specs: { cpu: number; mem: number; gpus: number; tainted: boolean }[]): ClusterState {
  return new ClusterState(
    specs.map((n) => ({
      cpuMilli: n.cpu,
      memoryMiB: n.mem,
      gpus: n.gpus,
      taints: n.tainted ? [{ key: "dedicated", value: "x", effect: "NoSchedule" as const }] : [],
    })),
  );
}

function pod(p: { cpu: number; mem: number; gpus: number; gpuMilli: number; tolerates: boolean }): Pod {
  const share = p.gpus === 1 ? p.gpuMilli : 1000;
  return {
    cpuMilli: p.cpu,
    memoryMiB: p.mem,
    gpus: p.gpus,
    gpuMilli: p.gpus > 0 ? share : 0,
    tolerations: p.tolerates ? [{ key: "dedicated", operator: "Equal", value: "x", effect: "NoSchedule" }] : undefined,
  } as Pod;
}

describe("every placement strategy, on random clusters and pods", () => {
  for (const name of placements) {
    it(`${name}: places only where the pod fits, and leaves waiting only what fits nowhere`, () => {
      fc.assert(
        fc.property(
          fc.array(nodeSpec, { minLength: 1, maxLength: 12 }),
          fc.array(podSpec, { minLength: 1, maxLength: 30 }),
          fc.integer({ min: 1, max: 1000 }),
          (nodes, pods, seed) => {
            const c = cluster(nodes);
            // A learned strategy takes a trained agent's node scorer (made by @clustersim/rl): here the
            // seed's random scores, as arbitrary as an untrained agent's.
            const learned = name === "rl-placement";
            const scores = new RandomStreams(seed).get("a");
            // Load-aware placement reads node usage: here what is allocated, with a pod estimated at its
            // request and a threshold of 100%, under which its filter refuses exactly what does not fit.
            const loadAware = name === "load-aware";
            const used = (n: number) => c.allocatableCpuMilli(n) - c.freeCpuMilli(n);
            const params = learned
              ? { checkpoint: "untrained" }
              : loadAware
                ? { cpuThreshold: 1, estimatedCpuShare: 1 }
                : {};
            const s = createPlacement(name, params, {
              rng: new RandomStreams(seed).get("s"),
              workload: pods.map(pod),
              ...(learned && { learnedScore: () => ({ name: "Untrained", score: () => scores.next() }) }),
              ...(loadAware && {
                nodeLoad: () => ({ cpuMilli: used, placed: () => {}, left: () => {}, back: () => {} }),
              }),
            });
            for (const p of pods.map(pod)) {
              const d = s.decide(c, p);
              if (d) {
                const placed = d.gpuIndex === undefined ? p : { ...p, gpuIndex: d.gpuIndex };
                expect(c.fits(d.node, placed), `${name} chose node ${d.node}`).toBe(true);
                c.place(d.node, placed);
                s.bound?.(c, p, d);
              } else {
                for (let n = 0; n < c.nodeCount; n++)
                  expect(c.fits(n, p), `${name} left a pod that fits node ${n}`).toBe(false);
              }
            }
          },
        ),
        { numRuns: 150 },
      );
    });
  }
});
