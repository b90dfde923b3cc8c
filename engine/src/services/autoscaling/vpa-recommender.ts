import { CPU_HISTOGRAM, DecayingHistogram } from "./decaying-histogram.js";

/**
 * The VPA recommender for CPU (kubernetes/autoscaler vertical-pod-autoscaler 1.5.0,
 * pkg/recommender/logic/recommender.go and estimator.go): usage samples (weight 0.1 each, v1.4+) in a
 * decaying histogram; target = the 90th percentile × 1.15 (safety margin), lower bound = the 50th ×
 * 1.15 × (1 + 0.001/c)⁻², upper bound = the 95th × 1.15 × (1 + 1/c), where the confidence c is the
 * history's length in days or its samples per 1,440, whichever is smaller; each at least 25 millicores.
 */
export interface VpaRecommendation {
  targetMilli: number;
  lowerMilli: number;
  upperMilli: number;
}

const MARGIN = 0.15;
const MIN_CPU_MILLI = 25;
const SAMPLE_WEIGHT = 0.1;
const DAY_S = 86400;

export class VpaRecommender {
  private readonly histogram = new DecayingHistogram(CPU_HISTOGRAM);
  private firstS = Number.NaN;
  private lastS = Number.NaN;
  private samples = 0;

  /** `containers` containers' CPU usage (cores each) over the last metrics window ending at `timeS`. */
  addSample(cores: number, timeS: number, containers = 1): void {
    if (containers <= 0) return;
    this.histogram.addSample(cores, SAMPLE_WEIGHT * containers, timeS);
    if (Number.isNaN(this.firstS)) this.firstS = timeS;
    this.lastS = timeS;
    this.samples += containers;
  }

  recommend(): VpaRecommendation | undefined {
    if (this.histogram.isEmpty) return undefined;
    const confidence = Math.min((this.lastS - this.firstS) / DAY_S, this.samples / 1440);
    const scale = (cores: number) => Math.max(MIN_CPU_MILLI, Math.ceil(cores * (1 + MARGIN) * 1000));
    const lower = this.histogram.percentile(0.5) * (confidence > 0 ? (1 + 0.001 / confidence) ** -2 : 0);
    const upper = this.histogram.percentile(0.95) * (confidence > 0 ? 1 + 1 / confidence : Number.POSITIVE_INFINITY);
    return {
      targetMilli: scale(this.histogram.percentile(0.9)),
      lowerMilli: scale(lower),
      upperMilli: Number.isFinite(upper) ? scale(upper) : Number.POSITIVE_INFINITY,
    };
  }
}
