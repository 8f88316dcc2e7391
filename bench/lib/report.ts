/** Formatting for the printed results: markdown tables and compact numbers. */

export type Cell = string | number;

export function markdownTable(headers: string[], rows: Cell[][], rightAlignFrom = 1): string {
  const align = headers.map((_, i) => (i >= rightAlignFrom ? "---:" : "---"));
  const line = (cells: Cell[]) => `| ${cells.map(String).join(" | ")} |`;
  return [line(headers), line(align), ...rows.map(line)].join("\n");
}

/** 1234567 → "1,234,567". */
export function int(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Milliseconds with a precision that suits their size. */
export function ms(n: number): string {
  if (n >= 100) return String(Math.round(n));
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function pct(ratio: number, digits = 1): string {
  return `${(ratio * 100).toFixed(digits)} %`;
}

/** 0.9 → "0.90×". */
export function times(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(ratio >= 10 ? 1 : 2)}×` : "–";
}
