/**
 * A value a request gave, as a refusal shows it after "found": strings quoted (JSON), so that the
 * action "0" does not read as the number 0; a whole number beyond 2^53 − 1 said to be so, since JSON
 * parsing has already rounded it (9007199254740993 arrives as 9007199254740992, and its digits would
 * mislead); NaN, undefined and the like as JavaScript names them. Long values are cut at 80 characters.
 */
export function foundValue(v: unknown): string {
  if (typeof v === "number") {
    if (Number.isInteger(v) && !Number.isSafeInteger(v))
      return `a number ${v > 0 ? "above the largest" : "below the smallest"} safe integer (Number.${v > 0 ? "MAX" : "MIN"}_SAFE_INTEGER, ${v > 0 ? "" : "-"}9007199254740991)`;
    return String(v);
  }
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
