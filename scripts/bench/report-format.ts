/** Number formatting shared by the report's tables and sentences. */
export function num(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ms(value: number): string {
  return Number.isFinite(value) ? `${num(value, value < 10 ? 2 : 1)} ms` : 'n/a';
}

export function pct(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  return `${num(ratio * 100, ratio < 0.1 ? 1 : 0)} %`;
}

export function times(ratio: number): string {
  return Number.isFinite(ratio) ? `${num(ratio, ratio < 10 ? 2 : 1)}×` : 'n/a';
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
