/** Splits a stream of text into whole lines; a partial line waits for the rest of it. */
export class LineSplitter {
  private partial = '';

  push(chunk: string): string[] {
    const lines = (this.partial + chunk).split(/\r?\n/);
    this.partial = lines.pop() ?? '';
    return lines;
  }

  /** What is left when the stream ends without a final newline. */
  flush(): string[] {
    const rest = this.partial;
    this.partial = '';
    return rest === '' ? [] : [rest];
  }
}

/** The last `capacity` lines, kept to explain a failure after the live output scrolled away. */
export class RecentLines {
  private readonly lines: string[] = [];

  constructor(private readonly capacity: number) {}

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.shift();
  }

  all(): string[] {
    return [...this.lines];
  }
}

/** `[order-service ]`: every source padded to the longest name so the output lines up. */
export function linePrefix(source: string, width: number): string {
  return `[${source.padEnd(width)}]`;
}
