/**
 * Kubernetes resource quantities ("500m", "2Gi", "1.5", "128974848", "129e6", "129M"), as defined by
 * k8s.io/apimachinery/pkg/api/resource: a decimal number followed by a binary suffix (Ki Mi Gi Ti Pi
 * Ei), a decimal suffix (n u m k M G T P E) or a decimal exponent (e3, E6). Returns the value in base
 * units (cores for CPU, bytes for memory), or NaN when the text is not a quantity.
 */
const SUFFIX: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/;

export function parseQuantity(text: string | number): number {
  if (typeof text === "number") return Number.isFinite(text) ? text : NaN;
  const m = QUANTITY.exec(text.trim());
  if (!m) return NaN;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  return base * SUFFIX[m[3] ?? ""];
}

/** CPU quantity to millicores, rounded up as Kubernetes does ("0.1" → 100, "1m" → 1). */
export function cpuMilli(text: string | number): number {
  const cores = parseQuantity(text);
  return Number.isNaN(cores) ? NaN : Math.ceil(Math.round(cores * 1e9) / 1e6);
}

/** Memory quantity to MiB ("2Gi" → 2048, "1G" → 953.67…). */
export function memoryMiB(text: string | number): number {
  const bytes = parseQuantity(text);
  return bytes / 2 ** 20;
}
