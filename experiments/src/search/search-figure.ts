/**
 * How a search writes a figure in words, shared by its monotonicity notes (./monotonicity-notes.ts) and
 * the command's printed report, so that both round alike.
 */

/** Six significant digits: enough to tell 0.99953 from a threshold of 0.9995. */
export const figure = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x));
