/**
 * A small hand-written SVG line chart with logarithmic axes, enough for the fan-out curve:
 * one panel per metric, one line per server.
 */

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number; failed?: boolean }[];
}

export interface Panel {
  title: string;
  yLabel: string;
  series: Series[];
  /** Horizontal reference lines (a target, a limit). */
  guides?: { y: number; label: string }[];
}

const WIDTH = 760;
const PANEL_HEIGHT = 300;
const MARGIN = { left: 80, right: 150, top: 36, bottom: 48 };

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function decades(min: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) out.push(10 ** e);
  return out;
}

function tickLabel(v: number): string {
  if (v >= 1e6) return `${v / 1e6}M`;
  if (v >= 1e3) return `${v / 1e3}k`;
  return String(v);
}

function panelSvg(panel: Panel, xLabel: string, top: number, xRange: [number, number]): string {
  const all = panel.series.flatMap((s) => s.points.map((p) => p.y)).filter((y) => y > 0);
  const guideYs = (panel.guides ?? []).map((g) => g.y);
  const yTicks = decades(Math.min(...all, ...guideYs), Math.max(...all, ...guideYs));
  const xTicks = decades(xRange[0], xRange[1]);
  const [x0, x1] = [Math.log10(xTicks[0]!), Math.log10(xTicks.at(-1)!)];
  const [y0, y1] = [Math.log10(yTicks[0]!), Math.log10(yTicks.at(-1)!)];
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => MARGIN.left + ((Math.log10(x) - x0) / (x1 - x0 || 1)) * plotW;
  const py = (y: number) =>
    top + MARGIN.top + plotH - ((Math.log10(Math.max(y, 10 ** y0)) - y0) / (y1 - y0 || 1)) * plotH;
  const out: string[] = [];
  out.push(
    `<text x="${MARGIN.left}" y="${top + 22}" font-size="15" font-weight="bold">${esc(panel.title)}</text>`,
  );
  for (const t of xTicks) {
    out.push(
      `<line x1="${px(t)}" y1="${top + MARGIN.top}" x2="${px(t)}" y2="${top + MARGIN.top + plotH}" stroke="#ddd"/>`,
      `<text x="${px(t)}" y="${top + MARGIN.top + plotH + 16}" font-size="11" text-anchor="middle">${tickLabel(t)}</text>`,
    );
  }
  for (const t of yTicks) {
    out.push(
      `<line x1="${MARGIN.left}" y1="${py(t)}" x2="${MARGIN.left + plotW}" y2="${py(t)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${py(t) + 4}" font-size="11" text-anchor="end">${tickLabel(t)}</text>`,
    );
  }
  out.push(
    `<rect x="${MARGIN.left}" y="${top + MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${top + PANEL_HEIGHT - 8}" font-size="12" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(18 ${top + MARGIN.top + plotH / 2}) rotate(-90)" font-size="12" text-anchor="middle">${esc(panel.yLabel)}</text>`,
  );
  for (const g of panel.guides ?? []) {
    out.push(
      `<line x1="${MARGIN.left}" y1="${py(g.y)}" x2="${MARGIN.left + plotW}" y2="${py(g.y)}" stroke="#999" stroke-dasharray="5 4"/>`,
      `<text x="${MARGIN.left + plotW - 4}" y="${py(g.y) - 4}" font-size="11" text-anchor="end" fill="#666">${esc(g.label)}</text>`,
    );
  }
  panel.series.forEach((s, i) => {
    const pts = s.points.filter((p) => p.y > 0);
    if (pts.length > 0) {
      out.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(" ")}"/>`,
      );
    }
    for (const p of pts) {
      out.push(
        p.failed
          ? `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="4" fill="white" stroke="${s.color}" stroke-width="2"/>`
          : `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3.5" fill="${s.color}"/>`,
      );
    }
    const ly = top + MARGIN.top + 10 + i * 18;
    const lx = MARGIN.left + plotW + 14;
    out.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 18}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${lx + 24}" y="${ly + 4}" font-size="12">${esc(s.name)}</text>`,
    );
  });
  return out.join("\n");
}

/** Stacks panels that share a logarithmic x axis into one SVG document. */
export function chartSvg(title: string, subtitle: string, xLabel: string, panels: Panel[]): string {
  const xs = panels.flatMap((p) => p.series.flatMap((s) => s.points.map((pt) => pt.x)));
  const xRange: [number, number] = [Math.min(...xs), Math.max(...xs)];
  const height = 50 + panels.length * PANEL_HEIGHT;
  const body = panels.map((p, i) => panelSvg(p, xLabel, 50 + i * PANEL_HEIGHT, xRange));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">`,
    `<title>${esc(title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="17" font-weight="bold">${esc(title)}</text>`,
    `<text x="${MARGIN.left}" y="40" font-size="11" fill="#555">${esc(subtitle)}</text>`,
    ...body,
    "</svg>",
    "",
  ].join("\n");
}
