import type { Rng } from "@clustersim/sim-core";

/** Values a validator must refuse or survive: extremes, wrong types, special numbers, syntax. */
const NASTY = [
  "0",
  "-1",
  "1e309",
  "-1e309",
  ".nan",
  "NaN",
  "1e12",
  "0x10",
  "999999999999999999999",
  '""',
  "[]",
  "{}",
  "null",
  "~",
  "true",
  "'",
  "*anchor",
  "&a [*a]",
  "!!binary x",
  "__proto__",
  "../../../etc/passwd",
  "<img src=x onerror=alert(1)>",
  "5s",
  "1h30m",
  "500m",
  "2Gi",
  "9".repeat(40),
];

/**
 * A mutated copy of a text input: one of several edits a hostile or careless user makes, chosen by
 * `rng`: a value replaced by a nasty one, a line deleted, duplicated or cut short, bytes flipped,
 * the text truncated, lines swapped, or binary junk appended.
 */
export function mutate(text: string, rng: Rng): string {
  const lines = text.split("\n");
  const line = () => rng.int(0, Math.max(0, lines.length - 1));
  switch (rng.int(0, 7)) {
    case 0: {
      // Replace a number, a word after a colon, or a list item with a nasty value.
      const i = line();
      const nasty = NASTY[rng.int(0, NASTY.length - 1)];
      lines[i] = lines[i].replace(/(:\s*|,|-\s+)[^,{}[\]\n]+/, `$1${nasty}`);
      return lines.join("\n");
    }
    case 1:
      lines.splice(line(), 1);
      return lines.join("\n");
    case 2: {
      const i = line();
      lines.splice(i, 0, lines[i]);
      return lines.join("\n");
    }
    case 3: {
      const i = line();
      lines[i] = lines[i].slice(0, rng.int(0, lines[i].length));
      return lines.join("\n");
    }
    case 4: {
      const chars = [...text];
      for (let k = 0; k < 3 && chars.length > 0; k++) {
        chars[rng.int(0, chars.length - 1)] = String.fromCharCode(rng.int(0, 255));
      }
      return chars.join("");
    }
    case 5:
      return text.slice(0, rng.int(0, text.length));
    case 6: {
      const a = line();
      const b = line();
      [lines[a], lines[b]] = [lines[b], lines[a]];
      return lines.join("\n");
    }
    default:
      return `${text}\n${String.fromCharCode(...Array.from({ length: 16 }, () => rng.int(0, 255)))}`;
  }
}
