import { ABSENT, DOWN, EMPTY, FULL } from "./colors.js";
import { clear, el } from "./text.js";

const rgb = (c: readonly number[]) => `rgb(${c[0]}, ${c[1]}, ${c[2]})`;

const MEANING: Record<string, string> = {
  cpu: "CPU allocated",
  usage: "CPU in use",
  mem: "memory allocated",
  gpu: "GPUs allocated",
  pool: "the node's CXL pool in use",
};

/** The heatmap's colour scale for the mode shown: the share's gradient, and the fixed colours. */
export function renderLegend(root: HTMLElement, mode: string): void {
  clear(root);
  const bar = el("span", undefined, "legend-bar");
  bar.style.background = `linear-gradient(to right, ${rgb(EMPTY)}, ${rgb(FULL)})`;
  root.append(el("span", "0%"), bar, el("span", `100% of ${MEANING[mode] ?? mode}`));
  for (const [c, text] of [
    [ABSENT, "not in the cluster"],
    [DOWN, "down"],
  ] as const) {
    const swatch = el("span", undefined, "legend-swatch");
    swatch.style.background = rgb(c);
    root.append(swatch, el("span", text));
  }
}
