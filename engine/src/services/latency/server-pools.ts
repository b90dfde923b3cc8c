/**
 * The servers of a request graph's services (./request-graph.ts), per service: idle, busy, and busy
 * ones already removed (retiring), resized at each tick's start, and the busy servers' time integral
 * for the tick's mean. Apart from the event handlers (./request-events.ts), which only take a server,
 * free one, or ask whether one is idle.
 */
export class ServerPools {
  private readonly idle: Int32Array;
  private readonly busy: Int32Array;
  /** Busy servers already removed: the next ones to free go instead of turning idle. */
  private readonly retiring: Int32Array;
  /** ∫ busy servers dt over the tick so far, and the time it was last brought up to. */
  private readonly busyArea: Float64Array;
  private readonly busySince: Float64Array;

  constructor(services: number) {
    this.idle = new Int32Array(services);
    this.busy = new Int32Array(services);
    this.retiring = new Int32Array(services);
    this.busyArea = new Float64Array(services);
    this.busySince = new Float64Array(services);
  }

  /** Service j's tick starts at t0S with `servers` ready: its busy time starts from nothing; it is resized. */
  beginTick(j: number, t0S: number, servers: number): void {
    this.busyArea[j] = 0;
    this.busySince[j] = t0S;
    this.resize(j, servers);
  }

  /** Service j's tick ends at t1S: its mean busy servers over the tick's dtS. */
  endTick(j: number, t1S: number, dtS: number): number {
    this.setBusy(j, t1S, 0);
    return this.busyArea[j] / dtS;
  }

  /** Whether service j has an idle server. */
  hasIdle(j: number): boolean {
    return this.idle[j] > 0;
  }

  /** An idle server of service j turns busy now. */
  occupy(j: number, now: number): void {
    this.idle[j]--;
    this.setBusy(j, now, 1);
  }

  /** A busy server of service j frees now: it goes if one is retiring, else turns idle. */
  free(j: number, now: number): void {
    this.setBusy(j, now, -1);
    if (this.retiring[j] > 0) this.retiring[j]--;
    else this.idle[j]++;
  }

  /** Requests holding one of service j's servers now. */
  inService(j: number): number {
    return this.busy[j];
  }

  /** Service j has no server left (its replicas were lost). */
  clear(j: number): void {
    this.idle[j] = 0;
    this.busy[j] = 0;
    this.retiring[j] = 0;
  }

  /** Servers ready for the tick: add idle ones, or remove idle ones first, then the soonest to free. */
  private resize(j: number, servers: number): void {
    const total = this.idle[j] + this.busy[j] - this.retiring[j];
    if (servers >= total) {
      this.idle[j] += servers - total;
      return;
    }
    const fromIdle = Math.min(this.idle[j], total - servers);
    this.idle[j] -= fromIdle;
    this.retiring[j] += total - servers - fromIdle;
  }

  private setBusy(j: number, now: number, delta: number): void {
    this.busyArea[j] += this.busy[j] * (now - this.busySince[j]);
    this.busySince[j] = now;
    this.busy[j] += delta;
  }
}
