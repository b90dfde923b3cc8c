import { tolerates } from "@clustersim/hardware-models";
import type {
  CycleContext,
  NodeSelectorRequirement,
  Pod,
  PreferredSchedulingTerm,
  ScorePlugin,
} from "../framework/types.js";

/**
 * The default profile's preference scorers, as kube-scheduler v1.33 computes them
 * (pkg/scheduler/framework/plugins/tainttoleration and nodeaffinity, with helper.DefaultNormalizeScore):
 * raw counts per node, then normalised over the nodes being scored to [0, 100] in integers.
 */
const MAX_NODE_SCORE = 100;

/**
 * DefaultNormalizeScore: scale scores[0..count) from [0, max] to [0, 100] (integer division, as
 * upstream's int64), reversed (100 − score) when `reverse`; when every score is 0 they stay 0, or all
 * become 100 when reversed.
 */
export function defaultNormalizeScore(scores: Float64Array, count: number, reverse: boolean): void {
  let max = 0;
  for (let i = 0; i < count; i++) if (scores[i] > max) max = scores[i];
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE, 0, count);
    return;
  }
  for (let i = 0; i < count; i++) {
    const s = Math.trunc((MAX_NODE_SCORE * scores[i]) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}

/** How many of a node's PreferNoSchedule taints the pod does not tolerate (TaintToleration's raw score). */
export function intolerablePreferNoSchedule(ctx: CycleContext, node: number): number {
  const taints = ctx.view.taints(node);
  if (taints.length === 0) return 0;
  const tolerations = ctx.pod.tolerations ?? [];
  let n = 0;
  for (const t of taints) {
    // A toleration with another effect never matches (tolerates checks the effect).
    if (t.effect === "PreferNoSchedule" && !tolerations.some((tol) => tolerates(tol, t))) n++;
  }
  return n;
}

/**
 * TaintToleration, scoring: nodes with fewer PreferNoSchedule taints the pod does not tolerate score
 * higher (the raw count, normalised and reversed). Filtering on NoSchedule and NoExecute taints is
 * NodeResourcesFit's here (hardware-models' `fits`).
 */
export const taintToleration: ScorePlugin = {
  name: "TaintToleration",
  score: intolerablePreferNoSchedule,
  normalize: (scores, count) => defaultNormalizeScore(scores, count, true),
};

/** Whether the pod has preferred node-affinity terms that can match (NodeAffinity's PreScore skips it otherwise). */
export function hasPreferredTerms(pod: Pod): boolean {
  return pod.preferredAffinity?.some((t) => t.weight !== 0 && t.matchExpressions.length > 0) === true;
}

/** A label value as an integer for Gt and Lt (strconv.ParseInt, base 10), or NaN. */
function integerLabel(v: string): number {
  return /^[+-]?\d+$/.test(v) ? Number(v) : Number.NaN;
}

/** One requirement against a node's labels (k8s.io/apimachinery labels.Requirement.Matches). */
function matches(r: NodeSelectorRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const values = r.values ?? [];
  switch (r.operator) {
    case "In":
      return has && values.includes(labels[r.key]);
    case "NotIn":
      return !has || !values.includes(labels[r.key]);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
    case "Lt": {
      if (!has || values.length !== 1) return false;
      const mine = integerLabel(labels[r.key]);
      const bound = integerLabel(values[0]);
      if (Number.isNaN(mine) || Number.isNaN(bound)) return false;
      return r.operator === "Gt" ? mine > bound : mine < bound;
    }
  }
}

/**
 * The sum of the weights of the pod's preferred terms that match the node's labels (NodeAffinity's raw
 * score). A term matches when all its requirements do; a term without requirements or with weight 0
 * is ignored, as upstream's nodeaffinity.PreferredSchedulingTerms does.
 */
export function preferredAffinityScore(
  terms: readonly PreferredSchedulingTerm[] | undefined,
  labels: Readonly<Record<string, string>>,
): number {
  let sum = 0;
  for (const t of terms ?? []) {
    if (t.weight === 0 || t.matchExpressions.length === 0) continue;
    if (t.matchExpressions.every((r) => matches(r, labels))) sum += t.weight;
  }
  return sum;
}

/**
 * NodeAffinity, scoring: the summed weights of the preferred terms a node matches, normalised to
 * [0, 100]. Only label expressions (matchExpressions); upstream's matchFields (the node's name) and the
 * plugin's addedAffinity argument are not modelled.
 */
export const nodeAffinity: ScorePlugin = {
  name: "NodeAffinity",
  score: ({ view, pod }: CycleContext, node: number) =>
    preferredAffinityScore(pod.preferredAffinity, view.labels(node)),
  normalize: (scores, count) => defaultNormalizeScore(scores, count, false),
};
