/**
 * A forecaster of a series observed one interval at a time (requests per second per minute, say),
 * fitted online as the run goes: what predictive policies read.
 */
export interface Forecaster {
  /** The next interval's observation. */
  observe(value: number): void;
  /** The forecast `h` intervals ahead (h = 1: the next), or NaN while it has too little history. */
  forecast(h: number): number;
}
