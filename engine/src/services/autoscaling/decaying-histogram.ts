/**
 * The VPA recommender's decaying histogram (kubernetes/autoscaler vertical-pod-autoscaler 1.5.0,
 * pkg/recommender/util/histogram.go, decaying_histogram.go, histogram_options.go): exponential
 * buckets (bucket n starts at first·(rⁿ − 1)/(r − 1)), samples weighted by 2^((t − ref)/halfLife) so
 * that older ones count half per half-life, and a percentile that returns the END of the bucket where
 * the cumulative weight reaches it.
 */
export interface HistogramOptions {
  /** Size of the first bucket, growth ratio, largest value. */
  firstBucket: number;
  ratio: number;
  maxValue: number;
  halfLifeS: number;
}

/** CPU: first bucket 0.01 cores, ratio 1.05, up to 1000 cores, half-life 24 h (model/aggregations_config.go). */
export const CPU_HISTOGRAM: HistogramOptions = { firstBucket: 0.01, ratio: 1.05, maxValue: 1000, halfLifeS: 86400 };

/** Above this many half-lives past the reference time, weights are rescaled (maxDecayExponent). */
const MAX_DECAY_EXPONENT = 100;

export class DecayingHistogram {
  private readonly weights: Float64Array;
  private readonly n: number;
  private total = 0;
  private refS = 0;

  constructor(private readonly o: HistogramOptions = CPU_HISTOGRAM) {
    const { firstBucket: f, ratio: r, maxValue } = o;
    this.n = Math.ceil(Math.log((maxValue * (r - 1)) / f + 1) / Math.log(r)) + 1;
    this.weights = new Float64Array(this.n);
  }

  get buckets(): number {
    return this.n;
  }

  bucketStart(b: number): number {
    const { firstBucket: f, ratio: r } = this.o;
    return b === 0 ? 0 : (f * (r ** b - 1)) / (r - 1);
  }

  findBucket(v: number): number {
    const { firstBucket: f, ratio: r } = this.o;
    if (v < f) return 0;
    return Math.min(Math.floor(Math.log((v * (r - 1)) / f + 1) / Math.log(r)), this.n - 1);
  }

  get isEmpty(): boolean {
    return this.total <= 0;
  }

  addSample(value: number, weight: number, timeS: number): void {
    if (timeS > this.refS + MAX_DECAY_EXPONENT * this.o.halfLifeS) {
      // Move the reference forward (whole half-lives) and scale what is kept, as upstream's shiftReferenceTimestamp.
      const ref = Math.round(timeS / this.o.halfLifeS) * this.o.halfLifeS;
      const scale = 2 ** ((this.refS - ref) / this.o.halfLifeS);
      for (let b = 0; b < this.n; b++) this.weights[b] *= scale;
      this.total *= scale;
      this.refS = ref;
    }
    const w = weight * 2 ** ((timeS - this.refS) / this.o.halfLifeS);
    this.weights[this.findBucket(value)] += w;
    this.total += w;
  }

  /** The smallest bucket end below which at least `p` of the weight lies; 0 when empty. */
  percentile(p: number): number {
    if (this.isEmpty) return 0;
    const threshold = p * this.total;
    let sum = 0;
    for (let b = 0; b < this.n; b++) {
      sum += this.weights[b];
      if (sum >= threshold) return b + 1 < this.n ? this.bucketStart(b + 1) : this.bucketStart(b);
    }
    return this.bucketStart(this.n - 1);
  }
}
