/** Numbers in CSV: rounded to 1e-6, shortest round-trip form, empty for NaN and infinities. */
export const csvNumber = (x: number) => (Number.isFinite(x) ? String(Math.round(x * 1e6) / 1e6) : "");

/** Text in CSV: quoted when it holds a quote, comma or newline. */
export const csvText = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
