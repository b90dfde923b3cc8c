/**
 * What a search's judgements say against its assumption that a larger value never does worse: notes
 * written into search.json and printed, which never change the answer (./bisect.ts closes on the
 * smallest value known to meet). Apart from the loop (./search.ts) because it only reads the
 * judgements, each time search.json is written (./search-result.ts).
 */
import quantileT from "@stdlib/stats-base-dists-t-quantile";
import { higherIsGood, type Objective } from "./objective.js";
import { figure } from "./search-figure.js";
import type { Evaluation } from "./value-judgement.js";

/** Evidence against the assumption that a larger value never does worse. */
export interface MonotonicityNote {
  kind: "verdict" | "metric";
  smaller: number;
  larger: number;
  metric?: string;
  /** Mean change from the smaller value to the larger over the seeds, and the one-sided bound. */
  change?: number;
  bound?: number;
  text: string;
}

/**
 * Evidence against monotonicity among the values judged, each next to the next larger one judged: a
 * value failing above one that meets, and a metric failing its comparison at the larger value while
 * worse there than at the smaller on the same seeds (its paired change's one-sided bound, at the search's
 * confidence, on the worse side of 0). A metric that declines but still meets its threshold is left out:
 * the services of a call graph trade places as capacity grows, and such a decline does not move the
 * verdict. A change within rounding (1e-12 of the values) counts as none.
 */
export function monotonicityNotes(
  evaluations: readonly Evaluation[],
  objectives: readonly Objective[],
  vary: string,
  confidence: number,
): MonotonicityNote[] {
  const byValue = [...evaluations].sort((a, b) => a.value - b.value);
  const notes: MonotonicityNote[] = [];
  let lowestMeeting: Evaluation | undefined;
  for (const e of byValue) {
    if (lowestMeeting && !e.meets)
      notes.push({
        kind: "verdict",
        smaller: lowestMeeting.value,
        larger: e.value,
        text: `${vary} = ${e.value} fails the objective although the smaller ${lowestMeeting.value} meets it`,
      });
    if (e.meets) lowestMeeting ??= e;
  }
  for (let i = 1; i < byValue.length; i++) {
    const [a, b] = [byValue[i - 1], byValue[i]];
    for (const mb of b.metrics) {
      if (mb.meets) continue;
      const ma = a.metrics.find((m) => m.metric === mb.metric && m.objective === mb.objective);
      if (!ma) continue;
      const sign = higherIsGood(objectives[mb.objective]) ? 1 : -1;
      const d: number[] = [];
      mb.values.forEach((x, s) => {
        const y = ma.values[s];
        if (x === null || y === null) return;
        d.push(Math.abs(x - y) <= 1e-12 * Math.max(Math.abs(x), Math.abs(y)) ? 0 : sign * (x - y));
      });
      if (d.length < 2) continue;
      const mean = d.reduce((p, q) => p + q, 0) / d.length;
      const sd = Math.sqrt(d.reduce((p, q) => p + (q - mean) ** 2, 0) / (d.length - 1));
      const bound = d.every((x) => x === d[0])
        ? d[0]
        : mean + quantileT(confidence, d.length - 1) * (sd / Math.sqrt(d.length));
      if (!(bound < 0)) continue;
      notes.push({
        kind: "metric",
        smaller: a.value,
        larger: b.value,
        metric: mb.metric,
        change: sign * mean,
        bound: sign * bound,
        text: `${mb.metric} is worse at ${vary} = ${b.value} than at ${a.value} on the same seeds (mean change ${figure(sign * mean)}${d.every((x) => x === d[0]) ? ", on every seed" : `, ${Math.round(confidence * 1000) / 10}% bound ${figure(sign * bound)}`})`,
      });
    }
  }
  return notes;
}
