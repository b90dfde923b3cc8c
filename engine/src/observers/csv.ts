/** A column of a result table: whole numbers, numbers or text (what a Parquet copy types it as). */
export interface Column {
  name: string;
  type: "int" | "float" | "text";
}

/** Times and fractions in result tables: rounded to 1e-6, so that equal results print alike. */
export const round6 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : Number.NaN);

/** Numbers in CSV: rounded to 1e-6, shortest round-trip form, empty for NaN and infinities. */
export const csvNumber = (x: number) => (Number.isFinite(x) ? String(Math.round(x * 1e6) / 1e6) : "");

/** Text in CSV: quoted when it holds a quote, comma or newline. */
export const csvText = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/** One CSV line from a row of values (NaN: an empty cell). */
export function csvLine(values: readonly (number | string)[]): string {
  let line = "";
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) line += ",";
    line += typeof v === "string" ? csvText(v) : Number.isFinite(v) ? String(v) : "";
  }
  return line;
}
