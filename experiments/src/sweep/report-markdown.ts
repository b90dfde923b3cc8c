import { higherIsBetter, type Interval, type SweepReport } from "./report.js";

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
  const iv = (i: Interval | undefined) => (i ? `${fmt(i.mean)} [${fmt(i.low)}, ${fmt(i.high)}]` : "–");
  const schedulers = r.groups.length > 0 ? Object.keys(r.groups[0].means[r.metrics[0]] ?? {}) : [];
  const lines: string[] = [
    `# Sweep report: ${r.name}`,
    "",
    `${r.runs} runs, ${r.failed} failed. Means with 95% confidence intervals (Student t over seeds); differences are paired by seed against **${r.baseline}** (common random numbers). A difference whose interval excludes 0 is a win or a loss (lower is better except for ${[...["tasksStarted", "tasksCompleted", "cpuAllocatedFraction", "memoryAllocatedFraction", "gpuAllocatedFraction"]].join(", ")}).`,
    "",
    "## Win / tie / loss against the baseline",
    "",
    `| metric | ${schedulers.filter((s) => s !== r.baseline).join(" | ")} |`,
    `|---|${schedulers
      .filter((s) => s !== r.baseline)
      .map(() => "---")
      .join("|")}|`,
    ...r.metrics.map(
      (m) =>
        `| ${m} | ${schedulers
          .filter((s) => s !== r.baseline)
          .map((s) => {
            const t = r.winTieLoss[m]?.[s];
            return t ? `${t.win} / ${t.tie} / ${t.loss}` : "–";
          })
          .join(" | ")} |`,
    ),
    "",
  ];
  for (const g of r.groups) {
    const params = Object.entries(g.parameters)
      .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
      .join(", ");
    lines.push(
      `## ${g.scenario}${params ? ` (${params})` : ""}`,
      "",
      `| metric | ${schedulers.join(" | ")} |`,
      `|---|${schedulers.map(() => "---").join("|")}|`,
    );
    for (const m of r.metrics) lines.push(`| ${m} | ${schedulers.map((s) => iv(g.means[m][s])).join(" | ")} |`);
    lines.push(
      "",
      `Paired differences against ${r.baseline}:`,
      "",
      `| metric | ${schedulers.filter((s) => s !== r.baseline).join(" | ")} |`,
      `|---|${schedulers
        .filter((s) => s !== r.baseline)
        .map(() => "---")
        .join("|")}|`,
    );
    for (const m of r.metrics)
      lines.push(
        `| ${m} | ${schedulers
          .filter((s) => s !== r.baseline)
          .map((s) => iv(g.differences[m][s]))
          .join(" | ")} |`,
      );
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

/** Grouped bars: one cluster per group, one bar per scheduler, whiskers at the 95% interval. */
function barChart(metric: string, r: SweepReport, schedulers: string[]): string {
  const W = 640,
    H = 280,
    left = 60,
    bottom = 40,
    top = 30;
  const palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7"];
  const cells = r.groups.flatMap((g) => schedulers.map((s) => g.means[metric][s]));
  const hi = Math.max(
    0,
    ...cells.map((c) => (Number.isFinite(c?.high) ? c.high : (c?.mean ?? 0))).filter(Number.isFinite),
  );
  const lo = Math.min(
    0,
    ...cells.map((c) => (Number.isFinite(c?.low) ? c.low : (c?.mean ?? 0))).filter(Number.isFinite),
  );
  const span = hi - lo || 1;
  const y = (v: number) => top + (H - top - bottom) * (1 - (v - lo) / span);
  const groupW = (W - left - 10) / Math.max(1, r.groups.length);
  const barW = (groupW * 0.8) / Math.max(1, schedulers.length);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<text x="${left}" y="16" font-size="13">${esc(metric)}${higherIsBetter(metric) ? " (higher is better)" : " (lower is better)"}</text>`,
    `<line x1="${left}" y1="${y(0)}" x2="${W - 10}" y2="${y(0)}" stroke="#999"/>`,
    `<text x="${left - 4}" y="${y(hi) + 4}" text-anchor="end">${num(hi)}</text>`,
    `<text x="${left - 4}" y="${y(lo) + 4}" text-anchor="end">${num(lo)}</text>`,
  ];
  r.groups.forEach((g, gi) => {
    const x0 = left + gi * groupW + groupW * 0.1;
    schedulers.forEach((s, si) => {
      const c = g.means[metric][s];
      if (!c || !Number.isFinite(c.mean)) return;
      const x = x0 + si * barW;
      const top0 = Math.min(y(c.mean), y(0));
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${top0.toFixed(1)}" width="${(barW * 0.9).toFixed(1)}" height="${Math.abs(y(c.mean) - y(0)).toFixed(1)}" fill="${palette[si % palette.length]}"><title>${esc(s)}: ${num(c.mean)}</title></rect>`,
      );
      if (Number.isFinite(c.low) && Number.isFinite(c.high)) {
        const cx = (x + barW * 0.45).toFixed(1);
        parts.push(
          `<line x1="${cx}" y1="${y(c.low).toFixed(1)}" x2="${cx}" y2="${y(c.high).toFixed(1)}" stroke="#222"/>`,
        );
      }
    });
    parts.push(
      `<text x="${(x0 + groupW * 0.4).toFixed(1)}" y="${H - bottom + 14}" text-anchor="middle">${esc(shortName(g.scenario))}</text>`,
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

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!);
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));
const shortName = (p: string) =>
  p
    .split("/")
    .pop()!
    .replace(/\.ya?ml$/, "");
