/** Event codes as small integers, for the columns. */
export const CODES = [
  "a",
  "s",
  "f",
  "k",
  "p",
  "x",
  "d",
  "u",
  "+",
  "-",
  "r",
  "m",
  "v",
  "n",
  "o",
  "c",
  "z",
  "w",
] as const;
export type Code = (typeof CODES)[number];
const _CODE_OF = new Map<string, number>(CODES.map((c, i) => [c, i]));
