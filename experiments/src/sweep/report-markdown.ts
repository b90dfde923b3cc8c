import { type Direction, type GroupReport, type Interval, isNonNegative, type SweepReport } from "./report.js";

/** report.md, with one SVG bar chart (mean and 95% interval per scheduler and group) per metric. */
export function reportMarkdown(r: SweepReport): { markdown: string; plots: Record<string, string> } {
  const fmt = (x: number) =>
    !Number.isFinite(x)
      ? Number.isNaN(x)
        ? "–"
        : x > 0
          ? "∞"
          : "−∞"
      : Math.abs(x) >= 1000
        ? x.toFixed(0)
        : Math.abs(x) >= 1
          ? x.toFixed(3)
          : x.toPrecision(3);
  const iv = (i: Interval | undefined) =>
    !i ? "–" : i.degenerate ? `${fmt(i.mean)} ${SAME}` : `${fmt(i.mean)} [${fmt(i.low)}, ${fmt(i.high)}]`;
  // A ratio as ×: three significant figures at any size.
  const times = (x: number) => (Number.isFinite(x) ? `${x.toPrecision(3)}×` : fmt(x));
  const ratio = (i: Interval | undefined) =>
    !i || i.n === 0
      ? "–"
      : i.degenerate
        ? `${times(i.mean)} ${SAME}`
        : `${times(i.mean)} [${times(i.low)}, ${times(i.high)}]`;
  const schedulers = r.groups.length > 0 ? Object.keys(r.groups[0].means[r.metrics[0]] ?? {}) : [];
  const others = schedulers.filter((s) => s !== r.baseline);
  // Labels and names come from the sweep file: shown as text, never as HTML, and a "|" kept in its cell.
  const [shown, shownOthers, baseline] = [schedulers.map(mdText), others.map(mdText), mdText(r.baseline)];
  const direction = (m: string): Direction => r.better[m] ?? "none";
  const ranked = r.metrics.filter((m) => direction(m) !== "none");
  const named = (d: Direction) => r.metrics.filter((m) => direction(m) === d).join(", ") || "none";
  const thresholds = Object.entries(r.practical)
    .map(([m, t]) => `${m} ${fmt(t)}`)
    .join(", ");
  const lines: string[] = [
    `# Sweep report: ${mdText(r.name)}`,
    "",
    `${r.runs} runs, ${r.failed} failed. Means with 95% confidence intervals (Student t over seeds); "${SAME}" marks a value the seed did not change (a trace replay that ignores the seed, say), which has no interval. Differences are paired by seed against **${baseline}** (common random numbers) over the seeds where both runs succeeded, so a failed run counts in no win, tie or loss. A difference whose interval excludes 0 is a win or a loss, one that holds 0 a tie; a difference that is the same on every seed is a tie if it is 0 and otherwise neither a win nor a loss (counted apart as "same on every seed"), since a zero-width interval from identical runs is no evidence.`,
    "",
    `Higher is better: ${named("higher")}. Lower is better: ${named("lower")}. Not ranked (bookkeeping, or no better side): ${named("none")}.`,
    "",
    ...(thresholds
      ? [
          `A difference smaller than these is a tie however narrow its interval (practical thresholds): ${thresholds}.`,
          "",
        ]
      : []),
    ...(r.notApplied
      ? [
          "Not applied: each field below is left out of the runs named, whose scenario does not read it:",
          "",
          ...r.notApplied.map((l) => `- ${l}`),
          "",
        ]
      : []),
    "## Win / tie / loss against the baseline",
    "",
  ];
  if (others.length === 0) {
    lines.push(`One ${r.axis} (**${baseline}**): nothing to compare it with.`, "");
  } else {
    lines.push(
      `| metric | ${shownOthers.join(" | ")} |`,
      `|---|${others.map(() => "---").join("|")}|`,
      ...ranked.map(
        (m) =>
          `| ${m} | ${others
            .map((s) => {
              const t = r.winTieLoss[m]?.[s];
              if (!t) return "–";
              return `${t.win} / ${t.tie} / ${t.loss}${t.degenerate > 0 ? ` (${t.degenerate} same on every seed)` : ""}`;
            })
            .join(" | ")} |`,
      ),
      "",
    );
  }
  for (const g of r.groups) {
    const params = Object.entries(g.parameters)
      .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
      .join(", ");
    lines.push(
      `## ${mdText(g.scenario)}${params ? ` (${mdText(params)})` : ""}`,
      "",
      `| metric | ${shown.join(" | ")} |`,
      `|---|${schedulers.map(() => "---").join("|")}|`,
    );
    for (const m of r.metrics) lines.push(`| ${m} | ${schedulers.map((s) => iv(g.means[m][s])).join(" | ")} |`);
    lines.push("");
    if (others.length === 0) continue;
    lines.push(
      `Paired differences against ${baseline}:`,
      "",
      `| metric | ${shownOthers.join(" | ")} |`,
      `|---|${others.map(() => "---").join("|")}|`,
    );
    for (const m of r.metrics) lines.push(`| ${m} | ${others.map((s) => iv(g.differences[m][s])).join(" | ")} |`);
    lines.push("");
    const withRatios = r.metrics.filter((m) => others.some((s) => (g.ratios[m]?.[s]?.n ?? 0) > 1));
    if (withRatios.length === 0) continue;
    lines.push(
      `Paired ratios against ${baseline} (geometric mean of scheduler ÷ ${baseline} over the seeds, where every value is above 0):`,
      "",
      `| metric | ${shownOthers.join(" | ")} |`,
      `|---|${others.map(() => "---").join("|")}|`,
    );
    for (const m of withRatios) lines.push(`| ${m} | ${others.map((s) => ratio(g.ratios[m][s])).join(" | ")} |`);
    lines.push("");
  }
  const plots: Record<string, string> = {};
  lines.push("## Plots", "");
  for (const m of r.metrics) {
    const name = `plots/${m}.svg`;
    plots[name] = barChart(m, r, schedulers);
    lines.push(`![${m}](${name})`, "");
  }
  return { markdown: lines.join("\n"), plots };
}

const SAME = "(same on every seed)";

/**
 * Grouped bars: one cluster per group, labelled with its scenario and parameter values, one bar per
 * scheduler, whiskers at the 95% interval. A metric that cannot be negative is drawn from 0 up: a
 * whisker reaching below 0 stops there, and the title says so.
 */
function barChart(metric: string, r: SweepReport, schedulers: string[]): string {
  const palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7"];
  const floor = isNonNegative(metric) ? 0 : -Infinity;
  const labels = r.groups.map(groupLabel);
  const labelLines = Math.max(1, ...labels.map((l) => l.length));
  const left = 60,
    top = 30,
    lineH = 13,
    bottom = 40 + lineH * (labelLines - 1),
    H = 280 + lineH * (labelLines - 1);
  // About 6.5 px a character at 11 px sans-serif: wide enough groups that labels do not overlap.
  const widest = Math.max(0, ...labels.flat().map((s) => s.length * 6.5 + 12));
  const groupW = Math.max((640 - left - 10) / Math.max(1, r.groups.length), widest);
  const W = Math.round(left + 10 + groupW * Math.max(1, r.groups.length));
  const cells = r.groups.flatMap((g) => schedulers.map((s) => g.means[metric][s]));
  const drawnLow = (c: Interval) => Math.max(floor, c.low);
  const clipped = cells.some((c) => c && Number.isFinite(c.low) && c.low < floor);
  const hi = Math.max(
    0,
    ...cells.map((c) => (Number.isFinite(c?.high) ? c.high : (c?.mean ?? 0))).filter(Number.isFinite),
  );
  const lo = Math.min(
    0,
    ...cells.map((c) => (Number.isFinite(c?.low) ? drawnLow(c) : (c?.mean ?? 0))).filter(Number.isFinite),
  );
  const span = hi - lo || 1;
  const y = (v: number) => top + (H - top - bottom) * (1 - (v - lo) / span);
  const better = { higher: "higher is better", lower: "lower is better", none: "not ranked" }[
    r.better[metric] ?? "none"
  ];
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<text x="${left}" y="16" font-size="13">${esc(metric)} (${better}${clipped ? "; interval clipped at 0" : ""})</text>`,
    `<line x1="${left}" y1="${y(0)}" x2="${W - 10}" y2="${y(0)}" stroke="#999"/>`,
    `<text x="${left - 4}" y="${y(hi) + 4}" text-anchor="end">${num(hi)}</text>`,
    `<text x="${left - 4}" y="${y(lo) + 4}" text-anchor="end">${num(lo)}</text>`,
  ];
  const barW = (groupW * 0.8) / Math.max(1, schedulers.length);
  r.groups.forEach((g, gi) => {
    const x0 = left + gi * groupW + groupW * 0.1;
    schedulers.forEach((s, si) => {
      const c = g.means[metric][s];
      if (!c || !Number.isFinite(c.mean)) return;
      const x = x0 + si * barW;
      const top0 = Math.min(y(c.mean), y(0));
      const spread = c.degenerate
        ? ` ${SAME}`
        : Number.isFinite(c.low)
          ? ` [${num(c.low)}, ${num(c.high)}]`
          : " (one seed: no interval)";
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${top0.toFixed(1)}" width="${(barW * 0.9).toFixed(1)}" height="${Math.abs(y(c.mean) - y(0)).toFixed(1)}" fill="${palette[si % palette.length]}"><title>${esc(s)}: ${num(c.mean)}${spread}</title></rect>`,
      );
      if (!c.degenerate && Number.isFinite(c.low) && Number.isFinite(c.high)) {
        const cx = (x + barW * 0.45).toFixed(1);
        const cut = c.low < floor ? ", interval clipped at 0" : "";
        parts.push(
          `<line x1="${cx}" y1="${y(drawnLow(c)).toFixed(1)}" x2="${cx}" y2="${y(c.high).toFixed(1)}" stroke="#222"${cut ? ' stroke-dasharray="3 2"' : ""}><title>${esc(s)}: [${num(c.low)}, ${num(c.high)}]${cut}</title></line>`,
        );
      }
    });
    const cx = (left + gi * groupW + groupW * 0.5).toFixed(1);
    parts.push(
      `<text x="${cx}" y="${H - bottom + 14}" text-anchor="middle"><title>${esc(labels[gi].join(", "))}</title>${labels[
        gi
      ]
        .map((l, i) => `<tspan x="${cx}" dy="${i === 0 ? 0 : lineH}">${esc(l)}</tspan>`)
        .join("")}</text>`,
    );
  });
  schedulers.forEach((s, si) =>
    parts.push(
      `<rect x="${left + si * 120}" y="${H - 16}" width="10" height="10" fill="${palette[si % palette.length]}"/><text x="${left + si * 120 + 14}" y="${H - 7}">${esc(s)}</text>`,
    ),
  );
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

/** A group's label, a line each: the scenario, then every parameter as path=value. */
function groupLabel(g: GroupReport): string[] {
  return [
    shortName(g.scenario),
    ...Object.entries(g.parameters).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`),
  ];
}

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));
const shortName = (p: string) =>
  p
    .split("/")
    .pop()!
    .replace(/\.ya?ml$/, "");

/** Text from the sweep file as Markdown shows it: HTML's specials as entities, "|" escaped for tables. */
function mdText(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll("|", "\\|")
    .replaceAll("\n", " ");
}
