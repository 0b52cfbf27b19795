export interface Bar {
  label: string;
  /** System ÷ baseline; drawn as a percentage. */
  ratio: number;
  group: string;
}

const WIDTH = 760;
const LABEL_WIDTH = 300;
const ROW = 26;
const TOP = 48;
const COLORS = ['#2f6fb0', '#d9822b', '#3a9a5b', '#8e5bb5', '#b03a48'];

/**
 * A horizontal bar chart, as a plain SVG string: each bar is one figure as a percentage of its
 * baseline measured in the same run, with a line at 100 %.
 */
export function ratioChart(title: string, bars: Bar[]): string {
  const drawable = bars.filter((bar) => Number.isFinite(bar.ratio));
  const maxPercent = Math.max(100, ...drawable.map((bar) => bar.ratio * 100));
  const plotWidth = WIDTH - LABEL_WIDTH - 70;
  const x = (percent: number) => LABEL_WIDTH + (percent / maxPercent) * plotWidth;
  const height = TOP + drawable.length * ROW + 30;
  const groups = [...new Set(drawable.map((bar) => bar.group))];
  const rows = drawable.map((bar, i) => {
    const y = TOP + i * ROW;
    const percent = bar.ratio * 100;
    const color = COLORS[groups.indexOf(bar.group) % COLORS.length];
    return [
      `<text x="${LABEL_WIDTH - 8}" y="${y + 16}" text-anchor="end">${escape(bar.label)}</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y + 4}" width="${(x(percent) - LABEL_WIDTH).toFixed(1)}" height="${ROW - 8}" fill="${color}"/>`,
      `<text x="${(x(percent) + 4).toFixed(1)}" y="${y + 16}">${percent.toFixed(percent < 10 ? 1 : 0)} %</text>`,
    ].join('');
  });
  const hundred = x(100).toFixed(1);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${escape(title)}</text>`,
    ...rows,
    `<line x1="${hundred}" y1="${TOP - 6}" x2="${hundred}" y2="${height - 24}" stroke="#333" stroke-dasharray="4 3"/>`,
    `<text x="${hundred}" y="${height - 10}" text-anchor="middle">baseline = 100 %</text>`,
    '</svg>',
    '',
  ].join('\n');
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
