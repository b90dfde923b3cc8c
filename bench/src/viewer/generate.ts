/**
 * A generated replay of the viewer's target size: NODES nodes in 4 groups, PODS pods arriving evenly
 * over a day (log-uniform sizes, exponential durations, mean 1 h), each placed on a random node, and
 * each arriving, starting and finishing: about 3 events per pod. Seeded; written with the replay
 * package's writer, so that it is what a run would write.
 */
import { createWriteStream } from "node:fs";
import { ReplayWriter } from "@clustersim/replay";
import { RandomStreams } from "@clustersim/sim-core";

export async function generateReplay(path: string, nodes: number, pods: number): Promise<void> {
  const rng = new RandomStreams(1).get("bench:viewer");
  const dayS = 86400;
  const starts = new Float64Array(pods);
  const ends = new Float64Array(pods);
  const node = new Int32Array(pods);
  const cpu = new Int32Array(pods);
  for (let i = 0; i < pods; i++) {
    starts[i] = Math.round(((i + rng.next()) / pods) * dayS * 1000) / 1000;
    ends[i] = Math.round((starts[i] + rng.exponential(1 / 3600)) * 1000) / 1000;
    node[i] = Math.floor(rng.next() * nodes);
    cpu[i] = Math.round(250 * 16 ** rng.next());
  }
  // Finishes in time order, merged with the starts (both sorted).
  const byEnd = Int32Array.from({ length: pods }, (_, i) => i).sort((a, b) => ends[a] - ends[b] || a - b);
  const out = createWriteStream(path);
  let buffer: string[] = [];
  const flush = async () => {
    if (!out.write(`${buffer.join("\n")}\n`)) await new Promise<void>((ok) => out.once("drain", () => ok()));
    buffer = [];
  };
  const w = new ReplayWriter((line) => buffer.push(line));
  w.header({
    scenario: "bench-viewer",
    seed: 1,
    scheduler: "random",
    durationS: dayS,
    groups: ["a", "b", "c", "d"],
    nodes: Array.from(
      { length: nodes },
      (_, n) => [n % 4, 64_000, 262_144, 0, 1] as [number, number, number, number, number],
    ),
  });
  let f = 0;
  for (let i = 0; i < pods; i++) {
    while (f < pods && ends[byEnd[f]] <= starts[i]) {
      const k = byEnd[f++];
      if (ends[k] <= dayS) w.task(ends[k], "f", k, [node[k]]);
    }
    w.arrive(starts[i], i, cpu[i], cpu[i] * 4, 0);
    w.task(starts[i], "s", i, [node[i]]);
    if (buffer.length > 10_000) await flush();
  }
  for (; f < pods; f++) {
    const k = byEnd[f];
    if (ends[k] <= dayS) w.task(ends[k], "f", k, [node[k]]);
  }
  await flush();
  await new Promise<void>((ok) => out.end(ok));
}
