/**
 * A learning curve as a small SVG line chart: one series against the epoch, axes labelled with their
 * range. No dependencies, so the file opens anywhere (a browser, an editor's preview, a paper draft).
 */
export function curveSvg(title: string, yLabel: string, points: readonly [number, number][]): string {
  const W = 640;
  const H = 360;
  const L = 70;
  const R = 20;
  const T = 36;
  const B = 48;
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const [x0, x1] = range(xs);
  const [y0, y1] = range(ys);
  const px = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const py = (y: number) => H - B - ((y - y0) / (y1 - y0)) * (H - T - B);
  const path = points.map((p, i) => `${i === 0 ? "M" : "L"}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(" ");
  const num = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(4)).toString());
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="13">${escapeXml(title)}</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/>`,
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>`,
    `<text x="${L}" y="${H - B + 16}" text-anchor="middle">${num(x0)}</text>`,
    `<text x="${W - R}" y="${H - B + 16}" text-anchor="middle">${num(x1)}</text>`,
    `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">epoch</text>`,
    `<text x="${L - 6}" y="${H - B}" text-anchor="end">${num(y0)}</text>`,
    `<text x="${L - 6}" y="${T + 4}" text-anchor="end">${num(y1)}</text>`,
    `<text transform="translate(16,${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
    points.length > 0 ? `<path d="${path}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>` : "",
    "</svg>",
    "",
  ].join("\n");
}

function range(v: readonly number[]): [number, number] {
  if (v.length === 0) return [0, 1];
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
