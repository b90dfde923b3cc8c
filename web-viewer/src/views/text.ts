/** An element with text content only: names from traces and scenarios are never parsed as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  cls?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

export function clear(e: Element): void {
  while (e.firstChild) e.removeChild(e.firstChild);
}

/**
 * Seconds as h:mm:ss from the run's start; with the time of day at t = 0 (`startS`, seconds after
 * midnight: the scenario's clock), as that day's hh:mm:ss.
 */
export function clock(t: number, startS?: number): string {
  const s = Math.max(0, Math.floor(t));
  if (startS !== undefined) {
    const d = (((startS + s) % 86_400) + 86_400) % 86_400;
    return [Math.floor(d / 3600), Math.floor((d % 3600) / 60), d % 60].map((x) => String(x).padStart(2, "0")).join(":");
  }
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}

/**
 * The run times in [0, endS] at which its clock passes midnight (none without a clock, and none over
 * 1,000 days: a line per day would be closer than a pixel, and a hostile replay's span could be years).
 */
export function midnights(endS: number, startS?: number): number[] {
  if (startS === undefined || !(endS <= 1000 * 86_400)) return [];
  const out: number[] = [];
  for (let t = (86_400 - (startS % 86_400)) % 86_400; t <= endS; t += 86_400) out.push(t);
  return out;
}
