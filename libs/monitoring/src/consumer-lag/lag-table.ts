/** One row of `kafka-consumer-groups.sh --describe`. Offsets are int64 strings; '-' where Kafka prints '-'. */
export interface LagRow {
  group: string;
  topic: string;
  partition: number;
  currentOffset: string;
  logEndOffset: string;
  lag: string;
  consumerId: string;
}

const COLUMNS: [keyof LagRow, string][] = [
  ['group', 'GROUP'],
  ['topic', 'TOPIC'],
  ['partition', 'PARTITION'],
  ['currentOffset', 'CURRENT-OFFSET'],
  ['logEndOffset', 'LOG-END-OFFSET'],
  ['lag', 'LAG'],
  ['consumerId', 'CONSUMER-ID'],
];

/** Lag of one partition: log-end minus committed; '-' before the group ever committed there. */
export function partitionLag(committed: string | undefined, logEnd: string): string {
  if (committed === undefined || BigInt(committed) < 0n) return '-';
  const lag = BigInt(logEnd) - BigInt(committed);
  return (lag < 0n ? 0n : lag).toString();
}

/** The same columns and alignment `kafka-consumer-groups.sh --describe` prints. */
export function formatLagTable(rows: LagRow[]): string {
  const sorted = [...rows].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  const cells = [COLUMNS.map(([, title]) => title), ...sorted.map((row) => COLUMNS.map(([key]) => String(row[key])))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  return cells
    .map((line) =>
      line
        .map((cell, i) => cell.padEnd(widths[i]))
        .join(' ')
        .trimEnd(),
    )
    .join('\n');
}
